-- What drizzle-kit cannot emit: FORCE ROW LEVEL SECURITY (so even the table owner is subject to the
-- policies unless it has BYPASSRLS), the grants of the application roles, and the sign-in function.
ALTER TABLE tenants FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE users FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE memberships FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE agents FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE conversations FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE conversation_turns FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE audit_events FORCE ROW LEVEL SECURITY;--> statement-breakpoint
-- Sign-in runs before any tenant or user is known. Instead of a grant on password hashes, one narrow
-- function checks the password inside the database (bcrypt via pgcrypto) and returns the user id or
-- NULL. Unknown emails cost the same bcrypt round as wrong passwords, so timing does not tell them apart.
CREATE FUNCTION app.authenticate(p_email text, p_password text) RETURNS uuid
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  found_id uuid;
  found_hash text;
BEGIN
  SELECT u.id, u.password_hash INTO found_id, found_hash FROM public.users u WHERE u.email = lower(p_email);
  IF found_hash IS NULL THEN
    PERFORM extensions.crypt(p_password, '$2a$10$CwTycUXWue0Thq9StjUM0uJ8.bWqO5uIaeVbf/hEJ/7mpfhQ5ZuJu');
    RETURN NULL;
  END IF;
  IF extensions.crypt(p_password, found_hash) = found_hash THEN
    RETURN found_id;
  END IF;
  RETURN NULL;
END
$$;--> statement-breakpoint
REVOKE ALL ON FUNCTION app.authenticate(text, text) FROM PUBLIC;--> statement-breakpoint
-- Hashes a password with bcrypt (cost 10) inside the database; owner-only (seed, sign-up functions).
CREATE FUNCTION app_private.hash_password(p_password text) RETURNS text
LANGUAGE sql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
  SELECT extensions.crypt(p_password, extensions.gen_salt('bf', 10))
$$;--> statement-breakpoint
REVOKE ALL ON FUNCTION app_private.hash_password(text) FROM PUBLIC;--> statement-breakpoint
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM PUBLIC;--> statement-breakpoint
GRANT USAGE ON SCHEMA public, app TO app_user, agent_reader, platform_admin;--> statement-breakpoint
GRANT EXECUTE ON FUNCTION app.current_tenant_id(), app.current_user_id() TO app_user, agent_reader;--> statement-breakpoint
GRANT EXECUTE ON FUNCTION app.authenticate(text, text) TO app_user;--> statement-breakpoint
-- app_user: no TRUNCATE, no REFERENCES, no password hashes, audit is append-only.
GRANT SELECT ON tenants TO app_user;--> statement-breakpoint
GRANT SELECT (id, email, name, is_platform_admin, created_at) ON users TO app_user;--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON memberships, agents, conversations, conversation_turns TO app_user;--> statement-breakpoint
GRANT SELECT, INSERT ON audit_events TO app_user;--> statement-breakpoint
-- agent_reader: read-only, and only what agent-written SQL may see.
GRANT SELECT ON agents, conversations, conversation_turns TO agent_reader;--> statement-breakpoint
-- platform_admin (BYPASSRLS): read-only across tenants for the admin pages.
GRANT SELECT ON tenants, memberships, agents, conversations, conversation_turns, audit_events TO platform_admin;--> statement-breakpoint
GRANT SELECT (id, email, name, is_platform_admin, created_at) ON users TO platform_admin;--> statement-breakpoint
GRANT INSERT ON audit_events TO platform_admin;--> statement-breakpoint
DO $$
BEGIN
  EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC', current_database());
END
$$;
