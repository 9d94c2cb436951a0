-- Roles, schemas and the signed tenant context. Custom migration: drizzle-kit cannot emit any of this.
-- Roles are cluster-wide, so they are created only when missing; LOGIN and passwords are set by
-- `npm run db:migrate` from the environment (never written in a migration).
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'app_user') THEN CREATE ROLE app_user NOLOGIN; END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'agent_reader') THEN CREATE ROLE agent_reader NOLOGIN; END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'platform_admin') THEN CREATE ROLE platform_admin NOLOGIN; END IF;
END
$$;--> statement-breakpoint
-- The app and the agent role are subject to RLS: never superuser, never BYPASSRLS, never table owners.
ALTER ROLE app_user NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOINHERIT;--> statement-breakpoint
ALTER ROLE agent_reader NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOINHERIT;--> statement-breakpoint
-- Cross-tenant admin pages use this role on their own pool, behind an app-level platform-admin check.
ALTER ROLE platform_admin NOSUPERUSER BYPASSRLS NOCREATEDB NOCREATEROLE NOINHERIT;--> statement-breakpoint
CREATE SCHEMA IF NOT EXISTS extensions;--> statement-breakpoint
CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA extensions;--> statement-breakpoint
CREATE SCHEMA app;--> statement-breakpoint
CREATE SCHEMA app_private;--> statement-breakpoint
REVOKE ALL ON SCHEMA app_private FROM PUBLIC;--> statement-breakpoint
REVOKE ALL ON SCHEMA extensions FROM PUBLIC;--> statement-breakpoint
REVOKE CREATE ON SCHEMA public FROM PUBLIC;--> statement-breakpoint
-- The HMAC key that signs tenant contexts. Only the owner can read it; written by db:migrate from
-- TENANT_CONTEXT_SECRET.
CREATE TABLE app_private.context_key (
  id boolean PRIMARY KEY DEFAULT true CHECK (id),
  key bytea NOT NULL
);--> statement-breakpoint
-- Used by db:migrate to set role passwords with a bind parameter (ALTER ROLE cannot take one).
CREATE FUNCTION app_private.set_login_password(role_name text, password text) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF role_name NOT IN ('app_user', 'agent_reader', 'platform_admin') THEN
    RAISE EXCEPTION 'not an application role: %', role_name;
  END IF;
  EXECUTE format('ALTER ROLE %I WITH LOGIN PASSWORD %L', role_name, password);
END
$$;--> statement-breakpoint
-- Verifies `app.tenant_ctx` = v1.<tenant uuid or empty>.<user uuid or empty>.<expiry, unix s>.<hex HMAC-SHA256>
-- and returns {tenant, user}. No context: NULLs (policies then match nothing). A bad signature, a
-- malformed or expired token: an error. Any SQL can set the setting; only the server can sign it.
-- The expiry is compared with now(), the transaction's start: a token is accepted by transactions
-- that begin before it expires, however long they then run.
CREATE FUNCTION app_private.verified_context() RETURNS uuid[]
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  ctx text := current_setting('app.tenant_ctx', true);
  parts text[];
  signing_key bytea;
BEGIN
  -- After a transaction-local setting ends, current_setting returns '' rather than NULL.
  IF ctx IS NULL OR ctx = '' THEN
    RETURN ARRAY[NULL, NULL]::uuid[];
  END IF;
  parts := string_to_array(ctx, '.');
  IF cardinality(parts) <> 5 OR parts[1] <> 'v1' THEN
    RAISE EXCEPTION 'invalid tenant context: malformed' USING ERRCODE = 'insufficient_privilege';
  END IF;
  SELECT k.key INTO signing_key FROM app_private.context_key k;
  IF signing_key IS NULL THEN
    RAISE EXCEPTION 'tenant context key is not installed (run db:migrate)' USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF encode(extensions.hmac(convert_to(array_to_string(parts[1:4], '.'), 'UTF8'), signing_key, 'sha256'), 'hex') <> parts[5] THEN
    RAISE EXCEPTION 'invalid tenant context: bad signature' USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF parts[4]::bigint < extract(epoch FROM now()) THEN
    RAISE EXCEPTION 'invalid tenant context: expired' USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN ARRAY[nullif(parts[2], ''), nullif(parts[3], '')]::uuid[];
END
$$;--> statement-breakpoint
REVOKE ALL ON FUNCTION app_private.verified_context() FROM PUBLIC;--> statement-breakpoint
REVOKE ALL ON FUNCTION app_private.set_login_password(text, text) FROM PUBLIC;--> statement-breakpoint
CREATE FUNCTION app.current_tenant_id() RETURNS uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT (app_private.verified_context())[1]
$$;--> statement-breakpoint
CREATE FUNCTION app.current_user_id() RETURNS uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT (app_private.verified_context())[2]
$$;--> statement-breakpoint
REVOKE ALL ON FUNCTION app.current_tenant_id() FROM PUBLIC;--> statement-breakpoint
REVOKE ALL ON FUNCTION app.current_user_id() FROM PUBLIC;
