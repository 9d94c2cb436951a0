-- OAuth sign-in looked up (and created) the account of any email for whoever could call it as
-- app_user, with no credential. It now takes a proof the server mints once the provider has vouched
-- for the address: "<expiry, unix s>.<HMAC-SHA256 hex of 'external_sign_in.v1.<email>.<expiry>'>"
-- under the context key, which SQL running as app_user cannot read, so it cannot forge one.
DROP FUNCTION app.external_sign_in(text, text);--> statement-breakpoint
CREATE FUNCTION app.external_sign_in(p_email text, p_name text, p_proof text) RETURNS uuid
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_email text := lower(trim(p_email));
  v_name text := left(coalesce(nullif(trim(p_name), ''), split_part(lower(trim(p_email)), '@', 1)), 100);
  v_proof text[] := string_to_array(coalesce(p_proof, ''), '.');
  v_key bytea;
  v_user uuid;
BEGIN
  SELECT k.key INTO v_key FROM app_private.context_key k;
  IF v_key IS NULL OR cardinality(v_proof) <> 2 OR v_proof[1] !~ '^[0-9]{1,12}$'
     OR encode(extensions.hmac(convert_to('external_sign_in.v1.' || p_email || '.' || v_proof[1], 'UTF8'), v_key, 'sha256'), 'hex') <> v_proof[2] THEN
    RAISE EXCEPTION 'external sign-in needs a proof from the server' USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF v_proof[1]::bigint < extract(epoch FROM now()) THEN
    RAISE EXCEPTION 'external sign-in proof expired' USING ERRCODE = 'insufficient_privilege';
  END IF;
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
REVOKE ALL ON FUNCTION app.external_sign_in(text, text, text) FROM PUBLIC;--> statement-breakpoint
GRANT EXECUTE ON FUNCTION app.external_sign_in(text, text, text) TO app_user;
