-- Server-side sessions and rate limits shared by every app instance.
--
-- 1. Sessions. The Auth.js cookie (an encrypted JWT) names a row here; the row decides whether the
--    session is alive. Deleting it ends the session wherever the cookie was copied. Sessions belong
--    to a user, not a tenant, so the table is in app_private (no grant to any runtime role) and is
--    reached only through the definer functions below, each acting on the signed context's user
--    (app.current_user_id()), never on a user named by an argument. The check runs inside the
--    membership lookup every page already makes: same statement, no extra round trip.
CREATE TABLE app_private.sessions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES public.users (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  -- The absolute lifetime, fixed at sign-in: activity slides last_seen_at, never this.
  expires_at timestamptz NOT NULL
);--> statement-breakpoint
CREATE INDEX sessions_user_idx ON app_private.sessions (user_id);--> statement-breakpoint

CREATE FUNCTION app_private.context_user() RETURNS uuid
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_user uuid := app.current_user_id();
BEGIN
  IF v_user IS NULL THEN
    RAISE EXCEPTION 'no signed-in user in this context' USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN v_user;
END
$$;--> statement-breakpoint
REVOKE ALL ON FUNCTION app_private.context_user() FROM PUBLIC;--> statement-breakpoint

-- A new session for the context's user, alive for p_absolute_seconds at most. Also forgets the
-- user's sessions that ended on their own.
CREATE FUNCTION app.open_session(p_absolute_seconds integer) RETURNS uuid
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_user uuid := app_private.context_user();
  v_id uuid;
BEGIN
  IF p_absolute_seconds IS NULL OR p_absolute_seconds < 60 THEN
    RAISE EXCEPTION 'p_absolute_seconds must be at least 60' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  DELETE FROM app_private.sessions s WHERE s.user_id = v_user AND s.expires_at <= now();
  INSERT INTO app_private.sessions (user_id, expires_at)
  VALUES (v_user, now() + p_absolute_seconds * interval '1 second')
  RETURNING id INTO v_id;
  RETURN v_id;
END
$$;--> statement-breakpoint

-- Whether the context user's session p_session is alive: not ended, within its absolute lifetime, and
-- used within the last p_idle_seconds. A live session slides (last_seen_at moves), written at most
-- once a minute (or a tenth of the idle timeout, when that is shorter) so that a page view rarely
-- writes. A session found expired is deleted.
CREATE FUNCTION app.touch_session(p_session uuid, p_idle_seconds integer) RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_seen timestamptz;
  v_expires timestamptz;
BEGIN
  SELECT s.last_seen_at, s.expires_at INTO v_seen, v_expires
  FROM app_private.sessions s WHERE s.id = p_session AND s.user_id = app.current_user_id();
  IF NOT FOUND THEN
    RETURN false;
  END IF;
  IF v_expires <= clock_timestamp() OR v_seen <= clock_timestamp() - p_idle_seconds * interval '1 second' THEN
    DELETE FROM app_private.sessions s WHERE s.id = p_session;
    RETURN false;
  END IF;
  IF v_seen < clock_timestamp() - least(60, p_idle_seconds / 10) * interval '1 second' THEN
    UPDATE app_private.sessions s SET last_seen_at = clock_timestamp() WHERE s.id = p_session;
  END IF;
  RETURN true;
END
$$;--> statement-breakpoint

-- Sign-out: ends one of the context user's sessions.
CREATE FUNCTION app.end_session(p_session uuid) RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  DELETE FROM app_private.sessions s WHERE s.id = p_session AND s.user_id = app_private.context_user()
$$;--> statement-breakpoint

-- "Sign out other devices" and a password change: every session of the context user but p_keep.
-- Returns how many ended.
CREATE FUNCTION app.end_other_sessions(p_keep uuid) RETURNS integer
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  WITH ended AS (
    DELETE FROM app_private.sessions s
    WHERE s.user_id = app_private.context_user() AND s.id IS DISTINCT FROM p_keep
    RETURNING 1
  )
  SELECT count(*)::integer FROM ended
$$;--> statement-breakpoint

-- A platform admin's "revoke": every session of the account with this email. Only platform_admin may
-- call it, and db/platform-admin.ts does so after checking the caller's flag, in the transaction that
-- records the action. Returns how many ended.
CREATE FUNCTION app.revoke_sessions_of(p_email text) RETURNS integer
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  WITH ended AS (
    DELETE FROM app_private.sessions s USING public.users u
    WHERE u.id = s.user_id AND u.email = lower(trim(p_email))
    RETURNING 1
  )
  SELECT count(*)::integer FROM ended
$$;--> statement-breakpoint
REVOKE ALL ON FUNCTION app.open_session(integer), app.touch_session(uuid, integer), app.end_session(uuid),
  app.end_other_sessions(uuid), app.revoke_sessions_of(text) FROM PUBLIC;--> statement-breakpoint
GRANT EXECUTE ON FUNCTION app.open_session(integer), app.touch_session(uuid, integer), app.end_session(uuid),
  app.end_other_sessions(uuid) TO app_user;--> statement-breakpoint
GRANT EXECUTE ON FUNCTION app.revoke_sessions_of(text) TO platform_admin;--> statement-breakpoint

-- 2. Token buckets shared by every instance: `capacity` units at once, refilled at p_per_second.
--    The row lock taken by INSERT … ON CONFLICT DO UPDATE serialises concurrent takers of one bucket,
--    so two instances cannot both spend its last token. A take costs p_cost units (an MCP batch or an
--    agent SQL call can cost more than one). Only definer functions call it.
CREATE TABLE app_private.rate_buckets (
  key text PRIMARY KEY,
  tokens double precision NOT NULL,
  updated_at timestamptz NOT NULL
);--> statement-breakpoint
CREATE INDEX rate_buckets_updated_idx ON app_private.rate_buckets (updated_at);--> statement-breakpoint
CREATE FUNCTION app_private.take_tokens(p_key text, p_capacity double precision, p_per_second double precision, p_cost double precision)
RETURNS TABLE (allowed boolean, retry_after_seconds integer, remaining integer)
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_now timestamptz := clock_timestamp();
  v_tokens double precision;
BEGIN
  IF random() < 0.001 THEN
    DELETE FROM app_private.rate_buckets b WHERE b.updated_at < v_now - interval '1 day';
  END IF;
  INSERT INTO app_private.rate_buckets AS b (key, tokens, updated_at) VALUES (p_key, p_capacity, v_now)
  ON CONFLICT (key) DO UPDATE
    SET tokens = least(p_capacity, b.tokens + greatest(0, extract(epoch FROM v_now - b.updated_at)) * p_per_second),
        updated_at = v_now
  RETURNING b.tokens INTO v_tokens;
  IF v_tokens >= p_cost THEN
    UPDATE app_private.rate_buckets b SET tokens = v_tokens - p_cost WHERE b.key = p_key;
    RETURN QUERY SELECT true, 0, floor(v_tokens - p_cost)::integer;
  ELSE
    RETURN QUERY SELECT false, greatest(1, ceil((p_cost - v_tokens) / p_per_second))::integer, floor(v_tokens)::integer;
  END IF;
END
$$;--> statement-breakpoint
REVOKE ALL ON FUNCTION app_private.take_tokens(text, double precision, double precision, double precision) FROM PUBLIC;--> statement-breakpoint

-- API keys: resolving the key and spending from its bucket are one call, so the shared limit costs
-- no round trip of its own. No row for an unknown or revoked key (and nothing spent).
DROP FUNCTION app.resolve_api_key(text);--> statement-breakpoint
CREATE FUNCTION app.resolve_api_key(p_secret_hash text, p_per_minute integer, p_cost integer)
RETURNS TABLE (tenant_id uuid, key_id uuid, last_used_at timestamptz, allowed boolean, retry_after_seconds integer, remaining integer)
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT k.tenant_id, k.id, k.last_used_at, t.allowed, t.retry_after_seconds, t.remaining
  FROM public.api_keys k
  CROSS JOIN LATERAL app_private.take_tokens('api_key:' || k.id::text, p_per_minute, p_per_minute / 60.0, greatest(p_cost, 1)) t
  WHERE k.secret_hash = p_secret_hash AND k.revoked_at IS NULL
$$;--> statement-breakpoint
REVOKE ALL ON FUNCTION app.resolve_api_key(text, integer, integer) FROM PUBLIC;--> statement-breakpoint
GRANT EXECUTE ON FUNCTION app.resolve_api_key(text, integer, integer) TO app_user;--> statement-breakpoint

-- 3. Magic links, throttled per address as typed (known or not, so the throttle tells nothing about
--    whether an account exists: 3 per 15 minutes) and per requesting client address (10 per 15
--    minutes), in the shared buckets. stored: a link was stored (the app sends it); retry_after_seconds
--    > 0: throttled, nothing stored, nothing to send.
DROP FUNCTION app.create_magic_link(text, text);--> statement-breakpoint
CREATE FUNCTION app.create_magic_link(p_email text, p_token_mac text, p_ip text)
RETURNS TABLE (stored boolean, retry_after_seconds integer)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_email text := lower(trim(p_email));
  v_ip text := nullif(trim(coalesce(p_ip, '')), '');
  v_wait integer := 0;
  v_user uuid;
BEGIN
  IF p_token_mac !~ '^[0-9a-f]{64}$' THEN
    RAISE EXCEPTION 'token_mac must be a hex HMAC-SHA256' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  SELECT greatest(v_wait, t.retry_after_seconds) INTO v_wait
  FROM app_private.take_tokens('magic_link_account:' || v_email, 3, 3 / 900.0, 1) t;
  IF v_ip IS NOT NULL THEN
    SELECT greatest(v_wait, t.retry_after_seconds) INTO v_wait
    FROM app_private.take_tokens('magic_link_ip:' || v_ip, 10, 10 / 900.0, 1) t;
  END IF;
  IF v_wait > 0 THEN
    RETURN QUERY SELECT false, v_wait;
    RETURN;
  END IF;
  SELECT u.id INTO v_user FROM public.users u WHERE u.email = v_email FOR UPDATE;
  IF NOT FOUND OR (SELECT count(*) FROM app_private.magic_links l
      WHERE l.user_id = v_user AND l.used_at IS NULL AND l.expires_at > now()) >= 3 THEN
    RETURN QUERY SELECT false, 0;
    RETURN;
  END IF;
  DELETE FROM app_private.magic_links l WHERE l.user_id = v_user AND l.expires_at < now() - interval '1 day';
  INSERT INTO app_private.magic_links (token_mac, user_id, expires_at) VALUES (p_token_mac, v_user, now() + interval '15 minutes');
  RETURN QUERY SELECT true, 0;
END
$$;--> statement-breakpoint
REVOKE ALL ON FUNCTION app.create_magic_link(text, text, text) FROM PUBLIC;--> statement-breakpoint
GRANT EXECUTE ON FUNCTION app.create_magic_link(text, text, text) TO app_user;
