-- The context setter of a Citus coordinator (db/isolation.ts, docs/scale-out.md). Citus propagates
-- SET LOCAL to the workers that a transaction uses (citus.propagate_set_commands = 'local'), but not
-- set_config(…, true): with set_config the workers would see no context and every query would come back
-- empty. The token arrives as a bind parameter (`select app.enter_tenant($1)`) and is quoted as a literal
-- by format('%L'), so no text of it becomes SQL. Runs with the caller's rights: setting the context
-- grants nothing, verifying it (app_private.verified_context) does. Works on single-node PostgreSQL too.
CREATE FUNCTION app.enter_tenant(p_ctx text) RETURNS void
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  EXECUTE format('SET LOCAL app.tenant_ctx = %L', coalesce(p_ctx, ''));
END
$$;--> statement-breakpoint
REVOKE ALL ON FUNCTION app.enter_tenant(text) FROM PUBLIC;--> statement-breakpoint
GRANT EXECUTE ON FUNCTION app.enter_tenant(text) TO app_user, agent_reader;
--> statement-breakpoint
-- The context's other transaction-local settings on Citus, for the same reason: set_config() stays on the
-- coordinator, SET LOCAL reaches the workers (the agent SQL limits are read there). Only the names the
-- app sets (db/context.ts) are accepted, so the name spliced into the command is one of these constants;
-- the value is a literal quoted by format('%L').
CREATE FUNCTION app.set_local_setting(p_name text, p_value text) RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  IF p_name NOT IN ('statement_timeout', 'search_path', 'app.agent_sql_rows', 'app.agent_sql_bytes') THEN
    RAISE EXCEPTION 'app.set_local_setting: % is not a context setting', p_name USING ERRCODE = '22023';
  END IF;
  EXECUTE format('SET LOCAL %s = %L', p_name, p_value);
END
$$;--> statement-breakpoint
REVOKE ALL ON FUNCTION app.set_local_setting(text, text) FROM PUBLIC;--> statement-breakpoint
GRANT EXECUTE ON FUNCTION app.set_local_setting(text, text) TO app_user, agent_reader;
--> statement-breakpoint
-- The search document's upkeep on Citus (db/citus/distribute.ts swaps the triggers; single-node PostgreSQL
-- keeps the statement triggers of drizzle/0005). A statement trigger's transition tables cannot be read by
-- the distributed query a trigger on a shard runs ("could not find named tuplestore"); a row trigger can
-- touch its conversation, which lives on the same node (co-located by tenant_id), so the rebuild stays
-- local. `SET search = NULL` fires conversations_build_search, the one place the document is built.
CREATE FUNCTION app_private.conversation_turn_refresh_search() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    UPDATE public.conversations c SET search = NULL WHERE c.tenant_id = OLD.tenant_id AND c.id = OLD.conversation_id;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    UPDATE public.conversations c SET search = NULL WHERE c.tenant_id = NEW.tenant_id AND c.id = NEW.conversation_id;
  END IF;
  RETURN NULL;
END
$$;--> statement-breakpoint
REVOKE ALL ON FUNCTION app_private.conversation_turn_refresh_search() FROM PUBLIC;
