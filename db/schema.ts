import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  check,
  customType,
  foreignKey,
  index,
  integer,
  jsonb,
  pgEnum,
  pgPolicy,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { currentTenantCall, tenantPredicate } from "./isolation";

/**
 * The whole schema. Every table that holds tenant data has `tenant_id` first in its primary key,
 * in every foreign key between tenant tables, and in an index; its RLS policy comes from
 * `tenantIsolation()` so the policy text lives in one place. FORCE ROW LEVEL SECURITY, grants and the
 * context functions are in the custom migrations (drizzle-kit cannot emit them).
 */

// The policy compares tenant_id (uuid) with the verified context (uuid), called once per query
// through the InitPlan form `(select …)`, never once per row. The text comes from db/isolation.ts,
// which also derives the form a Citus deployment needs (db/citus/distribute.ts rewrites the policies
// of the distributed tables to it); fixed text, no value in it.
const tenantMatches = sql.raw(tenantPredicate("postgres"));
const currentTenant = sql.raw(currentTenantCall("postgres"));

const tenantIsolation = () =>
  pgPolicy("tenant_isolation", {
    as: "permissive",
    for: "all",
    to: "public",
    using: tenantMatches,
    withCheck: tenantMatches,
  });

const tenantIdColumn = () => uuid("tenant_id").notNull();
const createdAt = () => timestamp("created_at", { withTimezone: true }).notNull().defaultNow();

/** PostgreSQL's full-text document type; drizzle has no built-in column for it. */
const tsvector = customType<{ data: string }>({ dataType: () => "tsvector" });

export const memberRoles = ["owner", "admin", "member", "viewer"] as const;
export const channels = ["voice", "chat"] as const;
export const conversationStatuses = ["completed", "escalated", "abandoned", "failed"] as const;
export const speakers = ["agent", "caller"] as const;

export const memberRole = pgEnum("member_role", memberRoles);
export const channel = pgEnum("channel", channels);
export const conversationStatus = pgEnum("conversation_status", conversationStatuses);
export const speaker = pgEnum("speaker", speakers);

export const tenants = pgTable(
  "tenants",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    slug: text("slug").notNull(),
    name: text("name").notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("tenants_slug_key").on(t.slug),
    check("tenants_slug_format", sql`slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'`),
    // A tenant row is visible inside its own context, or to a signed-in user who is a member of it.
    pgPolicy("tenant_visible", {
      as: "permissive",
      for: "select",
      to: "public",
      using: sql`id = ${currentTenant} or id in (select m.tenant_id from memberships m where m.user_id = (select app.current_user_id()))`,
    }),
  ],
);

export const users = pgTable(
  "users",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    email: text("email").notNull(),
    name: text("name").notNull(),
    // bcrypt, computed and checked inside PostgreSQL (pgcrypto crypt): the hash never reaches the app.
    passwordHash: text("password_hash"),
    isPlatformAdmin: boolean("is_platform_admin").notNull().default(false),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("users_email_key").on(t.email),
    check("users_email_lowercase", sql`email = lower(email)`),
    // Yourself, and the members of the tenant in context. Nobody lists another tenant's members.
    pgPolicy("user_visible", {
      as: "permissive",
      for: "select",
      to: "public",
      using: sql`id = (select app.current_user_id()) or id in (select m.user_id from memberships m where m.tenant_id = ${currentTenant})`,
    }),
    // Your own profile only (the column grant limits it to `name`; passwords change through a function).
    pgPolicy("user_update_self", {
      as: "permissive",
      for: "update",
      to: "public",
      using: sql`id = (select app.current_user_id())`,
      withCheck: sql`id = (select app.current_user_id())`,
    }),
  ],
);

export const memberships = pgTable(
  "memberships",
  {
    tenantId: tenantIdColumn().references(() => tenants.id, { onDelete: "cascade" }),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    role: memberRole("role").notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.userId] }),
    index("memberships_user_idx").on(t.userId),
    // Members of the tenant in context, plus your own memberships (to list and switch your tenants).
    pgPolicy("membership_visible", {
      as: "permissive",
      for: "select",
      to: "public",
      using: sql`tenant_id = ${currentTenant} or user_id = (select app.current_user_id())`,
    }),
    pgPolicy("membership_write", { as: "permissive", for: "insert", to: "public", withCheck: tenantMatches }),
    pgPolicy("membership_update", {
      as: "permissive",
      for: "update",
      to: "public",
      using: tenantMatches,
      withCheck: tenantMatches,
    }),
    pgPolicy("membership_delete", { as: "permissive", for: "delete", to: "public", using: tenantMatches }),
  ],
);

export const agents = pgTable(
  "agents",
  {
    tenantId: tenantIdColumn().references(() => tenants.id, { onDelete: "cascade" }),
    id: uuid("id").notNull().defaultRandom(),
    name: text("name").notNull(),
    channel: channel("channel").notNull(),
    vertical: text("vertical").notNull(),
    disabledAt: timestamp("disabled_at", { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    uniqueIndex("agents_tenant_name_key").on(t.tenantId, t.name),
    tenantIsolation(),
  ],
);

export const conversations = pgTable(
  "conversations",
  {
    tenantId: tenantIdColumn(),
    id: uuid("id").notNull().defaultRandom(),
    agentId: uuid("agent_id").notNull(),
    channel: channel("channel").notNull(),
    caller: text("caller").notNull(),
    status: conversationStatus("status").notNull(),
    startedAt: timestamp("started_at", { withTimezone: true }).notNull(),
    durationSeconds: integer("duration_seconds").notNull(),
    summary: text("summary").notNull(),
    createdAt: createdAt(),
    // Summary (weight A) and transcript (weight B) as one document, kept by triggers (a generated
    // column cannot read conversation_turns): see drizzle/0005_conversation_search_triggers.sql.
    search: tsvector("search"),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    foreignKey({
      columns: [t.tenantId, t.agentId],
      foreignColumns: [agents.tenantId, agents.id],
      name: "conversations_agent_fk",
    }),
    index("conversations_tenant_started_idx").on(t.tenantId, t.startedAt.desc().nullsFirst(), t.id.desc().nullsFirst()),
    index("conversations_tenant_agent_idx").on(t.tenantId, t.agentId),
    // GIN over (tenant_id, search) with btree_gin: a tenant's matches come out of the index alone.
    index("conversations_search_idx").using("gin", t.tenantId, t.search),
    check("conversations_duration_positive", sql`duration_seconds >= 0`),
    tenantIsolation(),
  ],
);

export const conversationTurns = pgTable(
  "conversation_turns",
  {
    tenantId: tenantIdColumn(),
    conversationId: uuid("conversation_id").notNull(),
    position: integer("position").notNull(),
    speaker: speaker("speaker").notNull(),
    text: text("text").notNull(),
    offsetMs: integer("offset_ms").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.conversationId, t.position] }),
    foreignKey({
      columns: [t.tenantId, t.conversationId],
      foreignColumns: [conversations.tenantId, conversations.id],
      name: "conversation_turns_conversation_fk",
    }).onDelete("cascade"),
    tenantIsolation(),
  ],
);

/**
 * Idempotency-Key of the ingest API: the first request with a key creates the conversation and this row
 * in one transaction; a retry with the same key (and body) gets that conversation back instead of a
 * duplicate. The row lives as long as its conversation.
 */
export const ingestIdempotencyKeys = pgTable(
  "ingest_idempotency_keys",
  {
    tenantId: tenantIdColumn(),
    key: text("key").notNull(),
    /** SHA-256 (hex) of the request body: the same key with another body is refused. */
    requestHash: text("request_hash").notNull(),
    conversationId: uuid("conversation_id").notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.key] }),
    foreignKey({
      columns: [t.tenantId, t.conversationId],
      foreignColumns: [conversations.tenantId, conversations.id],
      name: "ingest_idempotency_keys_conversation_fk",
    }).onDelete("cascade"),
    index("ingest_idempotency_keys_conversation_idx").on(t.tenantId, t.conversationId),
    check("ingest_idempotency_keys_key_length", sql`char_length(key) between 1 and 255`),
    check("ingest_idempotency_keys_request_hash_format", sql`request_hash ~ '^[0-9a-f]{64}$'`),
    tenantIsolation(),
  ],
);

export const auditEvents = pgTable(
  "audit_events",
  {
    tenantId: tenantIdColumn().references(() => tenants.id, { onDelete: "cascade" }),
    id: bigint("id", { mode: "number" }).generatedAlwaysAsIdentity(),
    occurredAt: timestamp("occurred_at", { withTimezone: true }).notNull().defaultNow(),
    actorUserId: uuid("actor_user_id"),
    action: text("action").notNull(),
    target: text("target"),
    metadata: jsonb("metadata").$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    index("audit_events_tenant_occurred_idx").on(t.tenantId, t.occurredAt.desc().nullsFirst()),
    // Append-only for the app: readable and insertable in context, no UPDATE or DELETE grant. The one
    // UPDATE is app.record_agent_sql_outcome() (owner's rights): it fills in the outcome of an agent
    // SQL call recorded as pending, once (features/agent-sql/run.ts).
    pgPolicy("audit_read", { as: "permissive", for: "select", to: "public", using: tenantMatches }),
    pgPolicy("audit_append", { as: "permissive", for: "insert", to: "public", withCheck: tenantMatches }),
    pgPolicy("audit_agent_sql_outcome", {
      as: "permissive",
      for: "update",
      to: "public",
      using: sql`${tenantMatches} and action = 'agent_sql.run' and metadata->>'verdict' = 'pending'`,
      withCheck: tenantMatches,
    }),
  ],
);

export const apiKeys = pgTable(
  "api_keys",
  {
    tenantId: tenantIdColumn().references(() => tenants.id, { onDelete: "cascade" }),
    id: uuid("id").notNull().defaultRandom(),
    name: text("name").notNull(),
    /** The first characters of the key, shown in lists so a person can tell keys apart. */
    prefix: text("prefix").notNull(),
    /** Hex SHA-256 of the whole key (a 256-bit random secret, so no salt or slow hash is needed). */
    secretHash: text("secret_hash").notNull(),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    lastUsedAt: timestamp("last_used_at", { withTimezone: true }),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    // Global on purpose: keys are resolved by hash before any tenant is known (app.resolve_api_key).
    uniqueIndex("api_keys_secret_hash_key").on(t.secretHash),
    index("api_keys_tenant_created_idx").on(t.tenantId, t.createdAt.desc().nullsFirst()),
    check("api_keys_name_length", sql`char_length(name) between 1 and 100`),
    check("api_keys_secret_hash_format", sql`secret_hash ~ '^[0-9a-f]{64}$'`),
    tenantIsolation(),
  ],
);

export const invitationStatuses = ["pending", "accepted", "declined", "revoked"] as const;

export const invitations = pgTable(
  "invitations",
  {
    tenantId: tenantIdColumn().references(() => tenants.id, { onDelete: "cascade" }),
    id: uuid("id").notNull().defaultRandom(),
    email: text("email").notNull(),
    role: memberRole("role").notNull(),
    // SHA-256 (hex) of the link's secret: the link itself is never stored, so a copy of the table
    // cannot be turned into working links. Not readable by app_user (column grants).
    tokenHash: text("token_hash").notNull(),
    status: text("status", { enum: invitationStatuses }).notNull().default("pending"),
    invitedBy: uuid("invited_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    resolvedAt: timestamp("resolved_at", { withTimezone: true }),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    // Looked up by the link before any tenant is known (app.invitation_by_token); the value is random.
    uniqueIndex("invitations_token_hash_key").on(t.tokenHash),
    // One pending invitation per address and tenant: inviting again replaces the old link.
    uniqueIndex("invitations_tenant_pending_email_key")
      .on(t.tenantId, t.email)
      .where(sql`status = 'pending'`),
    index("invitations_tenant_created_idx").on(t.tenantId, t.createdAt.desc().nullsFirst()),
    check("invitations_email_lowercase", sql`email = lower(email)`),
    check("invitations_status", sql`status in ('pending', 'accepted', 'declined', 'revoked')`),
    tenantIsolation(),
  ],
);

/**
 * What platform admins did across tenants (the /admin pages, the grant CLI). Not a tenant table: a
 * platform operator's access is recorded by the platform, not in one tenant's log. Only the
 * platform_admin role (and the owner) can read or append; app_user has no grant.
 */
export const platformAuditEvents = pgTable(
  "platform_audit_events",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    occurredAt: timestamp("occurred_at", { withTimezone: true }).notNull().defaultNow(),
    actorUserId: uuid("actor_user_id"),
    action: text("action").notNull(),
    metadata: jsonb("metadata").$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [index("platform_audit_events_occurred_idx").on(t.occurredAt.desc().nullsFirst())],
);
