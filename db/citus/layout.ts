/**
 * Where each table lives on a Citus cluster (docs/scale-out.md). What grows with the tenants' traffic
 * is distributed by tenant_id and co-located (a tenant's agents, conversations, turns and audit events
 * sit on the same shard, so joins on (tenant_id, …) stay on one node). The rest is small and stays a
 * plain table on the coordinator, for a reason Citus imposes:
 */
export const distributedTables = [
  "agents",
  "conversations",
  "conversation_turns",
  "audit_events",
  "ingest_idempotency_keys",
] as const;

export const coordinatorTables: Record<string, string> = {
  tenants:
    "its policy reads memberships through a subquery (a member sees the tenants they belong to); Citus refuses subqueries in policies on Citus tables",
  users: "its policy reads memberships through a subquery, as tenants",
  memberships: "read by the subqueries of the tenants and users policies, which run on the coordinator",
  api_keys:
    "the key's hash is unique across tenants (resolved before any tenant is known); Citus enforces uniqueness only with the distribution column",
  invitations:
    "the link's hash is unique across tenants (looked up before the invitee belongs to the tenant), as api_keys",
  platform_audit_events: "not tenant data",
};

/** The column every distributed table is sharded by. */
export const distributionColumn = "tenant_id";
