-- The newest-first list indexes were created by drizzle's `.desc()`, which emits DESC NULLS LAST,
-- while the queries' ORDER BY … DESC means DESC NULLS FIRST. PostgreSQL does not treat the two as the
-- same order even on NOT NULL columns, so no list page could read its index in order and stop after
-- one page: it read and sorted all of the tenant's rows (1.2 s at 100,000 conversations per tenant,
-- 0.4 ms with this index; npm run bench). tests/db/list-plans.test.ts keeps them matched.
DROP INDEX "api_keys_tenant_created_idx";--> statement-breakpoint
DROP INDEX "audit_events_tenant_occurred_idx";--> statement-breakpoint
DROP INDEX "conversations_tenant_started_idx";--> statement-breakpoint
DROP INDEX "invitations_tenant_created_idx";--> statement-breakpoint
DROP INDEX "platform_audit_events_occurred_idx";--> statement-breakpoint
CREATE INDEX "api_keys_tenant_created_idx" ON "api_keys" USING btree ("tenant_id","created_at" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "audit_events_tenant_occurred_idx" ON "audit_events" USING btree ("tenant_id","occurred_at" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "conversations_tenant_started_idx" ON "conversations" USING btree ("tenant_id","started_at" DESC NULLS FIRST,"id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "invitations_tenant_created_idx" ON "invitations" USING btree ("tenant_id","created_at" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "platform_audit_events_occurred_idx" ON "platform_audit_events" USING btree ("occurred_at" DESC NULLS FIRST);