import { auditEvents } from "@/db/schema";
import { type TenantTx } from "@/db";

/**
 * Security-relevant events, appended inside the caller's withTenant transaction (so the row belongs
 * to that tenant by RLS, and is committed or rolled back with the action it records). The app can
 * insert and read audit events, never update or delete them (no grant, no policy).
 */
export type AuditAction =
  | "auth.sign_in"
  | "auth.sign_in_failed"
  | "auth.password_changed"
  | "auth.other_sessions_ended"
  | "member.invited"
  | "member.joined"
  | "member.role_changed"
  | "member.removed"
  | "conversations.exported"
  | "api_key.created"
  | "api_key.revoked"
  | "agent_sql.run"
  | "admin.tenants_viewed"
  | "tenant.created"
  | "member.invitation_revoked"
  | "member.invitation_declined"
  | "member.left";

export interface AuditEvent {
  tenantId: string;
  actorUserId?: string | null;
  action: AuditAction;
  target?: string | null;
  metadata?: Record<string, unknown>;
}

export async function recordAudit(tx: TenantTx, event: AuditEvent): Promise<void> {
  await tx.insert(auditEvents).values({
    tenantId: event.tenantId,
    actorUserId: event.actorUserId ?? null,
    action: event.action,
    target: event.target ?? null,
    metadata: event.metadata ?? {},
  });
}
