CREATE POLICY "audit_agent_sql_outcome" ON "audit_events" AS PERMISSIVE FOR UPDATE TO public USING (tenant_id = (select app.current_tenant_id()) and action = 'agent_sql.run' and metadata->>'verdict' = 'pending') WITH CHECK (tenant_id = (select app.current_tenant_id()));--> statement-breakpoint
-- Agent SQL is audited in the same round trip as the statement it records (db/agent-sql.ts): after the
-- agent's READ ONLY transaction, on the same connection and in the same write, a short read-write
-- transaction with the same signed context records the call (verdict 'pending'); the outcome is filled
-- in after the answer, once. agent_reader has no table privilege beyond SELECT: these two functions are
-- its only writes, both confined to the verified context's tenant and to action 'agent_sql.run'. Agent
-- SQL itself cannot call them (the guard allows no function outside pg_catalog, and its transaction is
-- READ ONLY, where even a definer function cannot write).
CREATE FUNCTION app.record_agent_sql_call(p_target text, p_metadata jsonb) RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_tenant uuid := app.current_tenant_id();
  v_id bigint;
BEGIN
  IF v_tenant IS NULL THEN
    RAISE EXCEPTION 'agent SQL audit without a tenant context' USING ERRCODE = '42501';
  END IF;
  INSERT INTO public.audit_events (tenant_id, actor_user_id, action, target, metadata)
  VALUES (v_tenant, app.current_user_id(), 'agent_sql.run', p_target, p_metadata)
  RETURNING id INTO v_id;
  RETURN v_id;
END
$$;--> statement-breakpoint
CREATE FUNCTION app.record_agent_sql_outcome(p_id bigint, p_outcome jsonb) RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_tenant uuid := app.current_tenant_id();
BEGIN
  IF v_tenant IS NULL OR p_outcome->>'verdict' IS NULL OR p_outcome->>'verdict' = 'pending' THEN
    RAISE EXCEPTION 'agent SQL outcome without a tenant context or a verdict' USING ERRCODE = '42501';
  END IF;
  UPDATE public.audit_events SET metadata = metadata || p_outcome
  WHERE tenant_id = v_tenant AND id = p_id AND action = 'agent_sql.run' AND metadata->>'verdict' = 'pending';
  RETURN FOUND;
END
$$;--> statement-breakpoint
REVOKE ALL ON FUNCTION app.record_agent_sql_call(text, jsonb), app.record_agent_sql_outcome(bigint, jsonb) FROM PUBLIC;--> statement-breakpoint
GRANT EXECUTE ON FUNCTION app.record_agent_sql_call(text, jsonb), app.record_agent_sql_outcome(bigint, jsonb) TO agent_reader;
