CREATE TABLE "ingest_idempotency_keys" (
	"tenant_id" uuid NOT NULL,
	"key" text NOT NULL,
	"request_hash" text NOT NULL,
	"conversation_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ingest_idempotency_keys_tenant_id_key_pk" PRIMARY KEY("tenant_id","key"),
	CONSTRAINT "ingest_idempotency_keys_key_length" CHECK (char_length(key) between 1 and 255),
	CONSTRAINT "ingest_idempotency_keys_request_hash_format" CHECK (request_hash ~ '^[0-9a-f]{64}$')
);
--> statement-breakpoint
ALTER TABLE "ingest_idempotency_keys" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "ingest_idempotency_keys" ADD CONSTRAINT "ingest_idempotency_keys_conversation_fk" FOREIGN KEY ("tenant_id","conversation_id") REFERENCES "public"."conversations"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "ingest_idempotency_keys_conversation_idx" ON "ingest_idempotency_keys" USING btree ("tenant_id","conversation_id");--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "ingest_idempotency_keys" AS PERMISSIVE FOR ALL TO public USING (tenant_id = (select app.current_tenant_id())) WITH CHECK (tenant_id = (select app.current_tenant_id()));--> statement-breakpoint
-- What drizzle-kit cannot emit: FORCE RLS and the grants. The app records a key and reads it back in the
-- tenant's context; it never changes or deletes one (the conversation's deletion cascades). agent_reader
-- gets nothing.
ALTER TABLE ingest_idempotency_keys FORCE ROW LEVEL SECURITY;--> statement-breakpoint
REVOKE ALL ON ingest_idempotency_keys FROM PUBLIC;--> statement-breakpoint
GRANT SELECT, INSERT ON ingest_idempotency_keys TO app_user;--> statement-breakpoint
-- platform_admin reads every tenant table (BYPASSRLS), as the isolation tests' control does.
GRANT SELECT ON ingest_idempotency_keys TO platform_admin;
