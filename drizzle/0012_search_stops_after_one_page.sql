-- Search under RLS stops after one page. app.matching_conversation_ids (drizzle/0005) returned every
-- match of the tenant before the list cut its page: with 100,000 conversations per tenant and a
-- frequent word, 254 ms, against 1.7 ms for the same query as a BYPASSRLS role, whose plan walks the
-- newest-first index and stops after 51 matches (npm run bench, scaling). The function now takes the
-- keyset position and the page size, and plans its one statement with the actual values (EXECUTE …
-- USING: fixed text, values as parameters), so the planner chooses as it does for the app filter: the
-- ordered index for a frequent word, the GIN index for a rare one. Called with the query alone it
-- returns every match, as before (the list with other filters, the export).
DROP FUNCTION app.matching_conversation_ids(tsquery);--> statement-breakpoint
CREATE FUNCTION app.matching_conversation_ids(
  p_query tsquery,
  p_before_started timestamptz DEFAULT NULL,
  p_before_id uuid DEFAULT NULL,
  p_limit integer DEFAULT NULL
) RETURNS SETOF uuid
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp ROWS 200 AS $$
DECLARE
  v_tenant uuid := app.current_tenant_id();
BEGIN
  IF v_tenant IS NULL THEN
    RETURN;
  END IF;
  IF p_before_started IS NULL THEN
    RETURN QUERY EXECUTE
      'SELECT c.id FROM public.conversations c WHERE c.tenant_id = $1 AND c.search @@ $2
       ORDER BY c.started_at DESC, c.id DESC LIMIT $3'
      USING v_tenant, p_query, p_limit;
  ELSE
    RETURN QUERY EXECUTE
      'SELECT c.id FROM public.conversations c WHERE c.tenant_id = $1 AND c.search @@ $2
         AND (c.started_at < $4 OR (c.started_at = $4 AND c.id < $5))
       ORDER BY c.started_at DESC, c.id DESC LIMIT $3'
      USING v_tenant, p_query, p_limit, p_before_started, p_before_id;
  END IF;
END
$$;--> statement-breakpoint
REVOKE ALL ON FUNCTION app.matching_conversation_ids(tsquery, timestamptz, uuid, integer) FROM PUBLIC;--> statement-breakpoint
GRANT EXECUTE ON FUNCTION app.matching_conversation_ids(tsquery, timestamptz, uuid, integer) TO app_user;
