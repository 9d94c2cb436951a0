-- Two costs that npm run bench measured under RLS, made smaller; what a tenant can see does not change.
--
-- 1. app.current_tenant_id() and app.current_user_id() were SQL functions around the verification.
--    A SQL function's body is parsed and planned again in every statement that calls it (a new
--    function cache each time), so each policy paid for it once more: 40-47 µs per verification in a
--    fresh transaction, against 29-34 µs as PL/pgSQL, whose compiled body and expression plans live for
--    the session (pgbench, one verification per transaction, interleaved). The verification itself is
--    still app_private.verified_context(), in one place.
CREATE OR REPLACE FUNCTION app.current_tenant_id() RETURNS uuid
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  RETURN (app_private.verified_context())[1];
END
$$;--> statement-breakpoint
CREATE OR REPLACE FUNCTION app.current_user_id() RETURNS uuid
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  RETURN (app_private.verified_context())[2];
END
$$;--> statement-breakpoint
-- 2. The search page under RLS (drizzle/0012) took 4-7 ms against 3 ms for the same page as a
--    BYPASSRLS role at 1,000 conversations per tenant (npm run bench). Two causes:
--    - the lookup was planned on every call (EXECUTE), and for a frequent word the planner chose the
--      GIN index, whose posting list for the word spans every tenant: 1.75 ms, against 0.2 ms for
--      reading the tenant's newest conversations in index order until the page is full;
--    - the list query around it joined agents, and the planner, misjudging that join (it cannot know
--      that a tenant's conversations point at that tenant's agents), read every conversation of the
--      tenant to keep the 51 the lookup returned: another 1 ms.
--    This function returns the page itself. It first reads the newest 2,000 conversations from the
--    cursor in index order with static SQL (its plan is cached for the session), matching them one by
--    one until the page is full. Only when those hold fewer matches than a page and the tenant has
--    older conversations (a rare word in a large tenant) does it look further back with a statement
--    planned with the actual values (EXECUTE … USING, fixed text), which uses the GIN index.
--    The tenant is the verified context's, as in every definer function here; the list's other
--    filters still go through app.matching_conversation_ids and RLS.
CREATE FUNCTION app.conversation_search_page(
  p_query tsquery,
  p_before_started timestamptz,
  p_before_id uuid,
  p_limit integer
) RETURNS TABLE (
  tenant_id uuid,
  id uuid,
  started_at timestamptz,
  duration_seconds integer,
  channel public.channel,
  caller text,
  status public.conversation_status,
  summary text,
  agent_id uuid,
  agent_name text
)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp ROWS 50 AS $$
DECLARE
  v_tenant uuid := app.current_tenant_id();
  v_window constant integer := 2000;
  v_found integer;
  v_edge_started timestamptz;
  v_edge_id uuid;
BEGIN
  IF v_tenant IS NULL OR p_limit IS NULL OR p_limit < 1 THEN
    RETURN;
  END IF;
  IF p_before_started IS NULL THEN
    RETURN QUERY
      SELECT w.tenant_id, w.id, w.started_at, w.duration_seconds, w.channel, w.caller, w.status, w.summary, w.agent_id,
             (SELECT a.name FROM public.agents a WHERE a.tenant_id = w.tenant_id AND a.id = w.agent_id)
      FROM (SELECT c.* FROM public.conversations c WHERE c.tenant_id = v_tenant
            ORDER BY c.started_at DESC, c.id DESC LIMIT v_window) w
      WHERE w.search @@ p_query
      ORDER BY w.started_at DESC, w.id DESC LIMIT p_limit;
    GET DIAGNOSTICS v_found = ROW_COUNT;
    IF v_found >= p_limit THEN
      RETURN;
    END IF;
    SELECT c.started_at, c.id INTO v_edge_started, v_edge_id FROM public.conversations c WHERE c.tenant_id = v_tenant
    ORDER BY c.started_at DESC, c.id DESC OFFSET v_window - 1 LIMIT 1;
  ELSE
    RETURN QUERY
      SELECT w.tenant_id, w.id, w.started_at, w.duration_seconds, w.channel, w.caller, w.status, w.summary, w.agent_id,
             (SELECT a.name FROM public.agents a WHERE a.tenant_id = w.tenant_id AND a.id = w.agent_id)
      FROM (SELECT c.* FROM public.conversations c WHERE c.tenant_id = v_tenant
              AND (c.started_at < p_before_started OR (c.started_at = p_before_started AND c.id < p_before_id))
            ORDER BY c.started_at DESC, c.id DESC LIMIT v_window) w
      WHERE w.search @@ p_query
      ORDER BY w.started_at DESC, w.id DESC LIMIT p_limit;
    GET DIAGNOSTICS v_found = ROW_COUNT;
    IF v_found >= p_limit THEN
      RETURN;
    END IF;
    SELECT c.started_at, c.id INTO v_edge_started, v_edge_id FROM public.conversations c WHERE c.tenant_id = v_tenant
      AND (c.started_at < p_before_started OR (c.started_at = p_before_started AND c.id < p_before_id))
    ORDER BY c.started_at DESC, c.id DESC OFFSET v_window - 1 LIMIT 1;
  END IF;
  -- The window held every remaining conversation: the page is complete.
  IF NOT FOUND THEN
    RETURN;
  END IF;
  -- Older than the window's last conversation, the rest of the page.
  RETURN QUERY EXECUTE
    'SELECT c.tenant_id, c.id, c.started_at, c.duration_seconds, c.channel, c.caller, c.status, c.summary, c.agent_id,
            (SELECT a.name FROM public.agents a WHERE a.tenant_id = c.tenant_id AND a.id = c.agent_id)
     FROM public.conversations c WHERE c.tenant_id = $1 AND c.search @@ $2
       AND (c.started_at < $3 OR (c.started_at = $3 AND c.id < $4))
     ORDER BY c.started_at DESC, c.id DESC LIMIT $5'
    USING v_tenant, p_query, v_edge_started, v_edge_id, p_limit - v_found;
END
$$;--> statement-breakpoint
REVOKE ALL ON FUNCTION app.conversation_search_page(tsquery, timestamptz, uuid, integer) FROM PUBLIC;--> statement-breakpoint
GRANT EXECUTE ON FUNCTION app.conversation_search_page(tsquery, timestamptz, uuid, integer) TO app_user;
