-- Accounts and teams: what drizzle-kit cannot emit. FORCE RLS and grants for the new tables, the
-- last-owner rule, the sign-in throttle, and the narrow SECURITY DEFINER functions for the steps that
-- run before any tenant or user context exists. Every function here pins search_path and
-- schema-qualifies what it touches; app_user may execute the ones in schema `app`, nobody else.

-- Invitations are a tenant table (rule 2). app_user never reads token_hash: a link is looked up only
-- through app.invitation_by_token(), which hashes the secret inside the database.
ALTER TABLE invitations FORCE ROW LEVEL SECURITY;--> statement-breakpoint
REVOKE ALL ON invitations FROM PUBLIC;--> statement-breakpoint
GRANT SELECT (tenant_id, id, email, role, status, invited_by, created_at, expires_at, resolved_at) ON invitations TO app_user;--> statement-breakpoint
GRANT INSERT ON invitations TO app_user;--> statement-breakpoint
GRANT UPDATE (status, resolved_at) ON invitations TO app_user;--> statement-breakpoint
GRANT SELECT (tenant_id, id, email, role, status, invited_by, created_at, expires_at, resolved_at) ON invitations TO platform_admin;--> statement-breakpoint
-- Profiles: a user renames themself (policy user_update_self); passwords change only through
-- app.change_password().
GRANT UPDATE (name) ON users TO app_user;--> statement-breakpoint
-- The platform's own log: RLS on with no policy, so only BYPASSRLS roles (platform_admin, the owner)
-- reach it; append-only (no UPDATE or DELETE grant).
ALTER TABLE platform_audit_events ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE platform_audit_events FORCE ROW LEVEL SECURITY;--> statement-breakpoint
REVOKE ALL ON platform_audit_events FROM PUBLIC;--> statement-breakpoint
GRANT SELECT, INSERT ON platform_audit_events TO platform_admin;--> statement-breakpoint

-- A workspace always keeps an owner. Enforced here and not only in the app, so no code path (a
-- forgotten check, a concurrent demotion of the two last owners) can orphan a tenant. The tenant row
-- is locked first: two transactions demoting different owners of the same tenant are serialised, and
-- the second one sees the first one's change. A tenant being deleted (cascade) is no longer found.
CREATE FUNCTION app_private.keep_an_owner() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF OLD.role <> 'owner' OR (TG_OP = 'UPDATE' AND NEW.role = 'owner' AND NEW.tenant_id = OLD.tenant_id) THEN
    RETURN NULL;
  END IF;
  PERFORM 1 FROM public.tenants t WHERE t.id = OLD.tenant_id FOR UPDATE;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM public.memberships m WHERE m.tenant_id = OLD.tenant_id AND m.role = 'owner') THEN
    RAISE EXCEPTION 'a workspace must keep at least one owner'
      USING ERRCODE = 'check_violation', CONSTRAINT = 'memberships_last_owner', TABLE = 'memberships';
  END IF;
  RETURN NULL;
END
$$;--> statement-breakpoint
REVOKE ALL ON FUNCTION app_private.keep_an_owner() FROM PUBLIC;--> statement-breakpoint
CREATE CONSTRAINT TRIGGER memberships_last_owner AFTER UPDATE OR DELETE ON memberships
  DEFERRABLE INITIALLY IMMEDIATE FOR EACH ROW EXECUTE FUNCTION app_private.keep_an_owner();--> statement-breakpoint

-- Failed sign-ins, per account (email as typed, known or not, so the throttle itself tells nothing)
-- and per client address. Kept in the database so every app instance shares it and a restart does
-- not reset it. Only the functions below touch it.
CREATE TABLE app_private.sign_in_throttle (
  scope text NOT NULL CHECK (scope IN ('account', 'ip')),
  key text NOT NULL,
  failures integer NOT NULL DEFAULT 0,
  last_failure_at timestamptz,
  blocked_until timestamptz,
  PRIMARY KEY (scope, key)
);--> statement-breakpoint
CREATE INDEX sign_in_throttle_last_failure_idx ON app_private.sign_in_throttle (last_failure_at);--> statement-breakpoint
-- Seconds still to wait before the next attempt is even evaluated (0: go ahead).
CREATE FUNCTION app_private.throttle_wait(p_scope text, p_key text) RETURNS integer
LANGUAGE sql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
  SELECT coalesce(max(ceil(extract(epoch FROM t.blocked_until - clock_timestamp())))::integer, 0)
  FROM app_private.sign_in_throttle t
  WHERE t.scope = p_scope AND t.key = p_key AND t.blocked_until > clock_timestamp()
$$;--> statement-breakpoint
-- The n-th consecutive failure (failures older than 15 minutes are forgotten) blocks the key once n
-- reaches p_free: 1 minute, then doubling, at most 15 minutes.
CREATE FUNCTION app_private.throttle_record_failure(p_scope text, p_key text, p_free integer) RETURNS void
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  n integer;
BEGIN
  INSERT INTO app_private.sign_in_throttle AS t (scope, key, failures, last_failure_at)
  VALUES (p_scope, p_key, 1, clock_timestamp())
  ON CONFLICT (scope, key) DO UPDATE SET
    failures = CASE WHEN t.last_failure_at IS NULL OR t.last_failure_at < clock_timestamp() - interval '15 minutes' THEN 1 ELSE t.failures + 1 END,
    last_failure_at = clock_timestamp()
  RETURNING t.failures INTO n;
  IF n >= p_free THEN
    UPDATE app_private.sign_in_throttle t
    SET blocked_until = clock_timestamp() + least(900, 60 * power(2, least(n - p_free, 4))) * interval '1 second'
    WHERE t.scope = p_scope AND t.key = p_key;
  END IF;
END
$$;--> statement-breakpoint
REVOKE ALL ON FUNCTION app_private.throttle_wait(text, text) FROM PUBLIC;--> statement-breakpoint
REVOKE ALL ON FUNCTION app_private.throttle_record_failure(text, text, integer) FROM PUBLIC;--> statement-breakpoint

-- Sign-in with the throttle: a blocked account or address gets a wait time and its password is not
-- even checked; otherwise app.authenticate() (bcrypt in the database; unknown emails cost the same).
-- A failure is counted for the account and the address, and recorded in the audit log of every
-- tenant the account belongs to. Attempts on one account are serialised (row lock), so a burst of
-- parallel guesses cannot all slip in before the counter moves.
CREATE FUNCTION app.sign_in(p_email text, p_password text, p_ip text)
RETURNS TABLE (signed_in_user_id uuid, retry_after_seconds integer)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_email text := lower(trim(p_email));
  v_ip text := nullif(trim(coalesce(p_ip, '')), '');
  v_wait integer;
  v_user uuid;
BEGIN
  IF random() < 0.01 THEN
    DELETE FROM app_private.sign_in_throttle t
    WHERE t.last_failure_at < clock_timestamp() - interval '1 day' AND coalesce(t.blocked_until, '-infinity') < clock_timestamp();
  END IF;
  INSERT INTO app_private.sign_in_throttle (scope, key) VALUES ('account', v_email) ON CONFLICT DO NOTHING;
  PERFORM 1 FROM app_private.sign_in_throttle t WHERE t.scope = 'account' AND t.key = v_email FOR UPDATE;
  v_wait := greatest(app_private.throttle_wait('account', v_email), CASE WHEN v_ip IS NULL THEN 0 ELSE app_private.throttle_wait('ip', v_ip) END);
  IF v_wait > 0 THEN
    RETURN QUERY SELECT NULL::uuid, v_wait;
    RETURN;
  END IF;
  v_user := app.authenticate(v_email, p_password);
  IF v_user IS NOT NULL THEN
    DELETE FROM app_private.sign_in_throttle t WHERE t.scope = 'account' AND t.key = v_email;
    RETURN QUERY SELECT v_user, 0;
    RETURN;
  END IF;
  PERFORM app_private.throttle_record_failure('account', v_email, 5);
  IF v_ip IS NOT NULL THEN
    PERFORM app_private.throttle_record_failure('ip', v_ip, 30);
  END IF;
  INSERT INTO public.audit_events (tenant_id, action, target, metadata)
  SELECT m.tenant_id, 'auth.sign_in_failed', v_email, jsonb_build_object('ip', v_ip)
  FROM public.memberships m JOIN public.users u ON u.id = m.user_id
  WHERE u.email = v_email;
  RETURN QUERY SELECT NULL::uuid, 0;
END
$$;--> statement-breakpoint
REVOKE ALL ON FUNCTION app.sign_in(text, text, text) FROM PUBLIC;--> statement-breakpoint
GRANT EXECUTE ON FUNCTION app.sign_in(text, text, text) TO app_user;--> statement-breakpoint
-- The unthrottled check stays for app.sign_in() (it runs as the owner), but the app role loses it:
-- SQL running as app_user cannot guess passwords around the throttle.
REVOKE EXECUTE ON FUNCTION app.authenticate(text, text) FROM app_user;--> statement-breakpoint

-- Validation shared by the account functions (the app validates first, with field messages; this is
-- the database refusing bad input whatever the caller). bcrypt reads at most 72 bytes.
CREATE FUNCTION app_private.check_account_input(p_name text, p_password text) RETURNS void
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF p_name IS NOT NULL AND (length(trim(p_name)) < 1 OR length(p_name) > 100) THEN
    RAISE EXCEPTION 'a name has 1 to 100 characters' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF p_password IS NULL OR length(p_password) < 8 OR octet_length(p_password) > 72 THEN
    RAISE EXCEPTION 'a password has at least 8 characters and at most 72 bytes' USING ERRCODE = 'invalid_parameter_value';
  END IF;
END
$$;--> statement-breakpoint
REVOKE ALL ON FUNCTION app_private.check_account_input(text, text) FROM PUBLIC;--> statement-breakpoint

-- A new tenant with a unique slug derived from its name, owned by p_owner. The slug only identifies
-- the tenant; a taken slug gets a random suffix.
CREATE FUNCTION app_private.create_workspace(p_owner uuid, p_name text) RETURNS uuid
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_name text := trim(p_name);
  v_base text;
  v_slug text;
  v_tenant uuid;
BEGIN
  IF length(v_name) < 1 OR length(v_name) > 100 THEN
    RAISE EXCEPTION 'a workspace name has 1 to 100 characters' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  v_base := trim(BOTH '-' FROM left(trim(BOTH '-' FROM regexp_replace(lower(v_name), '[^a-z0-9]+', '-', 'g')), 40));
  IF length(v_base) < 2 THEN
    v_base := 'workspace';
  END IF;
  v_slug := v_base;
  LOOP
    BEGIN
      INSERT INTO public.tenants (slug, name) VALUES (v_slug, v_name) RETURNING id INTO v_tenant;
      EXIT;
    EXCEPTION WHEN unique_violation THEN
      v_slug := v_base || '-' || encode(extensions.gen_random_bytes(3), 'hex');
    END;
  END LOOP;
  INSERT INTO public.memberships (tenant_id, user_id, role) VALUES (v_tenant, p_owner, 'owner');
  INSERT INTO public.audit_events (tenant_id, actor_user_id, action, target) VALUES (v_tenant, p_owner, 'tenant.created', v_slug);
  RETURN v_tenant;
END
$$;--> statement-breakpoint
REVOKE ALL ON FUNCTION app_private.create_workspace(uuid, text) FROM PUBLIC;--> statement-breakpoint

-- Sign-up: the user (bcrypt hash computed here), a tenant with a unique slug, the owner membership.
-- An email that already has an account fails on users_email_key (unique_violation).
CREATE FUNCTION app.sign_up(p_email text, p_name text, p_password text, p_workspace text)
RETURNS TABLE (new_user_id uuid, new_tenant_id uuid)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_user uuid;
BEGIN
  PERFORM app_private.check_account_input(p_name, p_password);
  INSERT INTO public.users (email, name, password_hash)
  VALUES (lower(trim(p_email)), trim(p_name), app_private.hash_password(p_password))
  RETURNING id INTO v_user;
  RETURN QUERY SELECT v_user, app_private.create_workspace(v_user, p_workspace);
END
$$;--> statement-breakpoint
REVOKE ALL ON FUNCTION app.sign_up(text, text, text, text) FROM PUBLIC;--> statement-breakpoint
GRANT EXECUTE ON FUNCTION app.sign_up(text, text, text, text) TO app_user;--> statement-breakpoint

-- Change password: the user comes from the signed context (withUser / withTenant), never from an
-- argument, and the current password must match. Wrong current passwords count against the account
-- like failed sign-ins. Returns 'changed', 'wrong_password' or 'throttled'.
CREATE FUNCTION app.change_password(p_current text, p_new text) RETURNS text
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_user uuid := app.current_user_id();
  v_email text;
  v_hash text;
BEGIN
  IF v_user IS NULL THEN
    RAISE EXCEPTION 'no signed-in user in this context' USING ERRCODE = 'insufficient_privilege';
  END IF;
  PERFORM app_private.check_account_input(NULL, p_new);
  SELECT u.email, u.password_hash INTO v_email, v_hash FROM public.users u WHERE u.id = v_user FOR UPDATE;
  IF app_private.throttle_wait('account', v_email) > 0 THEN
    RETURN 'throttled';
  END IF;
  IF v_hash IS NULL OR extensions.crypt(p_current, v_hash) <> v_hash THEN
    PERFORM app_private.throttle_record_failure('account', v_email, 5);
    RETURN 'wrong_password';
  END IF;
  UPDATE public.users u SET password_hash = app_private.hash_password(p_new) WHERE u.id = v_user;
  RETURN 'changed';
END
$$;--> statement-breakpoint
REVOKE ALL ON FUNCTION app.change_password(text, text) FROM PUBLIC;--> statement-breakpoint
GRANT EXECUTE ON FUNCTION app.change_password(text, text) TO app_user;--> statement-breakpoint

-- Reading an invitation by its link, before the visitor has an account or a tenant context. The
-- secret is hashed here; what comes back is what the acceptance page shows, plus the ids the server
-- needs to continue inside withTenant.
CREATE FUNCTION app.invitation_by_token(p_token text)
RETURNS TABLE (tenant_id uuid, invitation_id uuid, tenant_name text, email text, role public.member_role, status text,
               expires_at timestamptz, invited_by_name text, account_exists boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT i.tenant_id, i.id, t.name, i.email, i.role,
         CASE WHEN i.status = 'pending' AND i.expires_at <= now() THEN 'expired' ELSE i.status END,
         i.expires_at, inviter.name,
         EXISTS (SELECT 1 FROM public.users u WHERE u.email = i.email)
  FROM public.invitations i
  JOIN public.tenants t ON t.id = i.tenant_id
  LEFT JOIN public.users inviter ON inviter.id = i.invited_by
  WHERE i.token_hash = encode(extensions.digest(p_token, 'sha256'), 'hex')
$$;--> statement-breakpoint
REVOKE ALL ON FUNCTION app.invitation_by_token(text) FROM PUBLIC;--> statement-breakpoint
GRANT EXECUTE ON FUNCTION app.invitation_by_token(text) TO app_user;--> statement-breakpoint

-- Accepting an invitation as someone without an account: the user is created with the invited
-- address, joins with the invited role, and the invitation is used up, in one transaction.
-- (Existing users accept inside withTenant; they need no definer function.)
CREATE FUNCTION app.accept_invitation_as_new_user(p_token text, p_name text, p_password text)
RETURNS TABLE (new_user_id uuid, joined_tenant_id uuid)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  inv record;
  v_user uuid;
BEGIN
  PERFORM app_private.check_account_input(p_name, p_password);
  SELECT i.tenant_id, i.id, i.email, i.role INTO inv
  FROM public.invitations i
  WHERE i.token_hash = encode(extensions.digest(p_token, 'sha256'), 'hex') AND i.status = 'pending' AND i.expires_at > now()
  FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'this invitation is not valid any more' USING ERRCODE = 'no_data_found';
  END IF;
  INSERT INTO public.users (email, name, password_hash)
  VALUES (inv.email, trim(p_name), app_private.hash_password(p_password))
  RETURNING id INTO v_user;
  INSERT INTO public.memberships (tenant_id, user_id, role) VALUES (inv.tenant_id, v_user, inv.role);
  UPDATE public.invitations i SET status = 'accepted', resolved_at = now() WHERE i.tenant_id = inv.tenant_id AND i.id = inv.id;
  INSERT INTO public.audit_events (tenant_id, actor_user_id, action, target, metadata)
  VALUES (inv.tenant_id, v_user, 'member.joined', inv.email, jsonb_build_object('role', inv.role, 'invitation_id', inv.id));
  RETURN QUERY SELECT v_user, inv.tenant_id;
END
$$;--> statement-breakpoint
REVOKE ALL ON FUNCTION app.accept_invitation_as_new_user(text, text, text) FROM PUBLIC;--> statement-breakpoint
GRANT EXECUTE ON FUNCTION app.accept_invitation_as_new_user(text, text, text) TO app_user;--> statement-breakpoint

-- OAuth (GitHub, Google): the server calls this only after the provider vouched for the address
-- (verified email). The account with that address is the one signed in (linked by email); an
-- unknown address gets a new account and its own workspace, like sign-up, with no password.
CREATE FUNCTION app.external_sign_in(p_email text, p_name text) RETURNS uuid
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_email text := lower(trim(p_email));
  v_name text := left(coalesce(nullif(trim(p_name), ''), split_part(lower(trim(p_email)), '@', 1)), 100);
  v_user uuid;
BEGIN
  IF v_email !~ '^[^@[:space:]]+@[^@[:space:]]+$' THEN
    RAISE EXCEPTION 'not an email address' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  SELECT u.id INTO v_user FROM public.users u WHERE u.email = v_email;
  IF FOUND THEN
    RETURN v_user;
  END IF;
  INSERT INTO public.users (email, name) VALUES (v_email, v_name) ON CONFLICT (email) DO NOTHING RETURNING id INTO v_user;
  IF v_user IS NULL THEN
    -- Created concurrently by the provider's other callback.
    SELECT u.id INTO v_user FROM public.users u WHERE u.email = v_email;
    RETURN v_user;
  END IF;
  PERFORM app_private.create_workspace(v_user, v_name || '''s workspace');
  RETURN v_user;
END
$$;--> statement-breakpoint
REVOKE ALL ON FUNCTION app.external_sign_in(text, text) FROM PUBLIC;--> statement-breakpoint
GRANT EXECUTE ON FUNCTION app.external_sign_in(text, text) TO app_user;--> statement-breakpoint

-- Email magic links. The link's secret is random; the database stores only its HMAC under the
-- server's AUTH_SECRET, computed by the app. So SQL running as app_user (which can call these
-- functions) can store a MAC but cannot produce a link that matches it, and a copy of the table gives
-- no working links. Single use, 15 minutes, at most 3 outstanding links per account.
CREATE TABLE app_private.magic_links (
  token_mac text PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES public.users (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  used_at timestamptz
);--> statement-breakpoint
CREATE INDEX magic_links_user_created_idx ON app_private.magic_links (user_id, created_at);--> statement-breakpoint
-- Returns whether a link was stored (false: no account with that address, or too many outstanding).
CREATE FUNCTION app.create_magic_link(p_email text, p_token_mac text) RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_user uuid;
BEGIN
  IF p_token_mac !~ '^[0-9a-f]{64}$' THEN
    RAISE EXCEPTION 'token_mac must be a hex HMAC-SHA256' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  SELECT u.id INTO v_user FROM public.users u WHERE u.email = lower(trim(p_email)) FOR UPDATE;
  IF NOT FOUND THEN
    RETURN false;
  END IF;
  IF (SELECT count(*) FROM app_private.magic_links l
      WHERE l.user_id = v_user AND l.used_at IS NULL AND l.expires_at > now()) >= 3 THEN
    RETURN false;
  END IF;
  DELETE FROM app_private.magic_links l WHERE l.user_id = v_user AND l.expires_at < now() - interval '1 day';
  INSERT INTO app_private.magic_links (token_mac, user_id, expires_at) VALUES (p_token_mac, v_user, now() + interval '15 minutes');
  RETURN true;
END
$$;--> statement-breakpoint
CREATE FUNCTION app.consume_magic_link(p_token_mac text) RETURNS uuid
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  UPDATE app_private.magic_links l SET used_at = now()
  WHERE l.token_mac = p_token_mac AND l.used_at IS NULL AND l.expires_at > now()
  RETURNING l.user_id
$$;--> statement-breakpoint
REVOKE ALL ON FUNCTION app.create_magic_link(text, text) FROM PUBLIC;--> statement-breakpoint
REVOKE ALL ON FUNCTION app.consume_magic_link(text) FROM PUBLIC;--> statement-breakpoint
GRANT EXECUTE ON FUNCTION app.create_magic_link(text, text), app.consume_magic_link(text) TO app_user;
