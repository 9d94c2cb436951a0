-- api_keys: FORCE RLS like every tenant table, grants, and the one narrow function that resolves a key
-- before any tenant is known.
ALTER TABLE api_keys FORCE ROW LEVEL SECURITY;--> statement-breakpoint
-- The app lists, creates and revokes keys inside the tenant's context. It never reads a hash back:
-- no SELECT on secret_hash, and UPDATE only of the usage and revocation times.
GRANT SELECT (tenant_id, id, name, prefix, created_by, created_at, last_used_at, revoked_at) ON api_keys TO app_user;--> statement-breakpoint
-- INSERT on every column: Drizzle names them all (DEFAULT for the ones not given), which needs the privilege.
GRANT INSERT ON api_keys TO app_user;--> statement-breakpoint
GRANT UPDATE (last_used_at, revoked_at) ON api_keys TO app_user;--> statement-breakpoint
GRANT SELECT (tenant_id, id, name, prefix, created_by, created_at, last_used_at, revoked_at) ON api_keys TO platform_admin;--> statement-breakpoint
-- agent_reader gets nothing on api_keys.
--
-- A request with an API key names no tenant: the key is the tenant. Instead of a grant that would let
-- app_user read every tenant's hashes, this function takes the SHA-256 of the presented key and returns
-- the one matching live key's tenant and id (no row for unknown or revoked keys).
CREATE FUNCTION app.resolve_api_key(p_secret_hash text) RETURNS TABLE (tenant_id uuid, key_id uuid, last_used_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT k.tenant_id, k.id, k.last_used_at FROM public.api_keys k
  WHERE k.secret_hash = p_secret_hash AND k.revoked_at IS NULL
$$;--> statement-breakpoint
REVOKE ALL ON FUNCTION app.resolve_api_key(text) FROM PUBLIC;--> statement-breakpoint
GRANT EXECUTE ON FUNCTION app.resolve_api_key(text) TO app_user;--> statement-breakpoint
-- Defaults for the agent role, should anything ever run on it outside db/agent-sql.ts (which sets its
-- own, stricter values per transaction): read-only transactions and a statement timeout.
ALTER ROLE agent_reader SET default_transaction_read_only = on;--> statement-breakpoint
ALTER ROLE agent_reader SET statement_timeout = '10s';
