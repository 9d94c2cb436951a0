-- Full-text search over a conversation's summary and transcript.
--
-- conversations.search holds one document per conversation: the summary (weight A) and the turns'
-- text in order (weight B). A generated column cannot read another table, so triggers keep it:
--   * a row trigger on conversations computes it on insert and whenever `summary` or `search` is
--     written (the one place the document is built; a direct write to `search` is recomputed);
--   * statement triggers on conversation_turns (insert, update, delete; transition tables, so a COPY
--     of 20,000 turns is one UPDATE, not 20,000) rewrite `search` of the conversations they touched,
--     which fires the row trigger above.
-- The functions run with the caller's rights (not SECURITY DEFINER): as app_user, RLS still limits
-- them to the tenant in context.
CREATE FUNCTION app_private.conversations_build_search() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  NEW.search :=
    setweight(to_tsvector('pg_catalog.english', NEW.summary), 'A') ||
    setweight(to_tsvector('pg_catalog.english', coalesce((
      SELECT string_agg(t.text, ' ' ORDER BY t.position)
      FROM public.conversation_turns t
      WHERE t.tenant_id = NEW.tenant_id AND t.conversation_id = NEW.id), '')), 'B');
  RETURN NEW;
END
$$;--> statement-breakpoint
CREATE TRIGGER conversations_build_search
BEFORE INSERT OR UPDATE OF summary, search ON conversations
FOR EACH ROW EXECUTE FUNCTION app_private.conversations_build_search();--> statement-breakpoint
-- `SET search = NULL` is a touch: the row trigger replaces it with the rebuilt document.
CREATE FUNCTION app_private.conversation_turns_refresh_search() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    UPDATE public.conversations c SET search = NULL
    FROM (SELECT DISTINCT tenant_id, conversation_id FROM new_turns) k
    WHERE c.tenant_id = k.tenant_id AND c.id = k.conversation_id;
  ELSIF TG_OP = 'DELETE' THEN
    UPDATE public.conversations c SET search = NULL
    FROM (SELECT DISTINCT tenant_id, conversation_id FROM old_turns) k
    WHERE c.tenant_id = k.tenant_id AND c.id = k.conversation_id;
  ELSE
    UPDATE public.conversations c SET search = NULL
    FROM (SELECT tenant_id, conversation_id FROM new_turns UNION SELECT tenant_id, conversation_id FROM old_turns) k
    WHERE c.tenant_id = k.tenant_id AND c.id = k.conversation_id;
  END IF;
  RETURN NULL;
END
$$;--> statement-breakpoint
-- A trigger with transition tables serves one event, hence three.
CREATE TRIGGER conversation_turns_search_insert AFTER INSERT ON conversation_turns
REFERENCING NEW TABLE AS new_turns
FOR EACH STATEMENT EXECUTE FUNCTION app_private.conversation_turns_refresh_search();--> statement-breakpoint
CREATE TRIGGER conversation_turns_search_update AFTER UPDATE ON conversation_turns
REFERENCING OLD TABLE AS old_turns NEW TABLE AS new_turns
FOR EACH STATEMENT EXECUTE FUNCTION app_private.conversation_turns_refresh_search();--> statement-breakpoint
CREATE TRIGGER conversation_turns_search_delete AFTER DELETE ON conversation_turns
REFERENCING OLD TABLE AS old_turns
FOR EACH STATEMENT EXECUTE FUNCTION app_private.conversation_turns_refresh_search();--> statement-breakpoint
-- Rows written before this migration.
UPDATE conversations SET search = NULL;--> statement-breakpoint
--
-- Why searches go through a function. Under RLS, PostgreSQL uses a condition of the query as an
-- index condition only if its operator is LEAKPROOF (the policy's condition must run first
-- otherwise), and the text-search match `tsvector @@ tsquery` is not: as app_user, the GIN index
-- above would serve only its tenant_id column and every one of the tenant's rows would be read to
-- test the match. Marking ts_match_vq LEAKPROOF needs a superuser (managed PostgreSQL services do
-- not give one) and is lost by pg_dump. Instead this narrow SECURITY DEFINER function returns the
-- ids of the matching conversations of the tenant in the verified context (no context: none; bad
-- token: an error), using the index for both columns. Its owner bypasses RLS only for this id lookup;
-- the application joins the ids back to conversations as app_user, so RLS still decides which rows
-- come back, and filters, ordering and pagination stay in the ordinary query.
CREATE FUNCTION app.matching_conversation_ids(p_query tsquery) RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp ROWS 200 AS $$
  SELECT c.id FROM public.conversations c
  WHERE c.tenant_id = (SELECT app.current_tenant_id()) AND c.search @@ p_query
$$;--> statement-breakpoint
REVOKE ALL ON FUNCTION app.matching_conversation_ids(tsquery) FROM PUBLIC;--> statement-breakpoint
GRANT EXECUTE ON FUNCTION app.matching_conversation_ids(tsquery) TO app_user;
