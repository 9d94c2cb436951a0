ALTER TABLE "conversations" ADD COLUMN "search" "tsvector";--> statement-breakpoint
CREATE INDEX "conversations_search_idx" ON "conversations" USING gin ("tenant_id","search");