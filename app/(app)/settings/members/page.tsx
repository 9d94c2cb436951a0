import type { Metadata } from "next";
import { memberRoles } from "@/db/schema";
import { formatStart } from "@/lib/format";
import { listMembers, listPendingInvitations } from "@/features/members/members";
import { can } from "@/lib/permissions";
import { together } from "@/db";
import { Card, cardClass, dividedClass } from "@/components/ui";
import { requireTenant, withSessionTenant } from "@/lib/auth/session";
import { InviteForm, LeaveForm, RemoveForm, RevokeForm, RoleForm, type RoleOption } from "./member-forms";

export const metadata: Metadata = { title: "Members" };

/** A member or an invitation: who on the left, what can be done on the right. */
const rowClass = "grid gap-2 px-5 py-3 sm:grid-cols-[1fr_auto] sm:items-center";

export default async function MembersPage() {
  const session = await requireTenant("members.read");
  const canInvite = can(session.role, "members.invite");
  const canChangeRoles = can(session.role, "members.changeRole");
  const canRemove = can(session.role, "members.remove");
  const canManageOwners = can(session.role, "members.manageOwners");
  const [members, invitations] = await withSessionTenant(session, (tx) =>
    together([
      listMembers(tx, session.tenantId),
      // Pending invitations (and their addresses) are for the people who manage members.
      canInvite ? listPendingInvitations(tx, session.tenantId) : [],
    ]),
  );
  const roles: RoleOption[] = memberRoles
    .filter((r) => r !== "owner" || canManageOwners)
    .map((r) => ({ value: r, label: r }));

  return (
    <div className="space-y-6">
      {canInvite ? (
        <Card title="Invite someone" headingId="invite-heading">
          <InviteForm roles={roles} />
        </Card>
      ) : null}

      <section className={cardClass} aria-labelledby="members-heading">
        <div className="flex items-baseline justify-between px-5 pt-5">
          <h2 id="members-heading" className="font-semibold">
            Members of {session.tenantName}
          </h2>
          <span className="text-sm text-slate-500">{members.length}</span>
        </div>
        <ul className={`mt-3 ${dividedClass}`} data-testid="member-list">
          {members.map((m) => {
            const editable = m.userId !== session.userId && (m.role !== "owner" || canManageOwners);
            return (
              <li key={m.userId} className={rowClass} data-testid="member-row">
                <div className="min-w-0">
                  <div className="truncate font-medium">
                    {m.name}
                    {m.userId === session.userId ? <span className="text-slate-500"> (you)</span> : null}
                  </div>
                  <div className="truncate text-sm text-slate-500">
                    {m.email} · <span data-testid="member-role">{m.role}</span>
                  </div>
                </div>
                {editable && (canChangeRoles || canRemove) ? (
                  <div className="flex flex-wrap items-center gap-3">
                    {canChangeRoles ? <RoleForm userId={m.userId} name={m.name} role={m.role} roles={roles} /> : null}
                    {canRemove ? <RemoveForm userId={m.userId} name={m.name} /> : null}
                  </div>
                ) : null}
              </li>
            );
          })}
        </ul>
      </section>

      {canInvite ? (
        <section className={cardClass} aria-labelledby="invitations-heading">
          <h2 id="invitations-heading" className="px-5 pt-5 font-semibold">
            Pending invitations
          </h2>
          {invitations.length === 0 ? (
            <p className="px-5 pb-5 pt-2 text-sm text-slate-500">No pending invitations.</p>
          ) : (
            <ul className={`mt-3 ${dividedClass}`} data-testid="invitation-list">
              {invitations.map((i) => (
                <li key={i.id} className={rowClass}>
                  <div className="min-w-0 text-sm">
                    <div className="truncate font-medium">{i.email}</div>
                    <div className="text-slate-500">
                      {i.role} · invited by {i.invitedByName ?? "a former member"} ·{" "}
                      {i.expiresAt < new Date() ? "expired" : `expires ${formatStart(i.expiresAt)}`}
                    </div>
                  </div>
                  <RevokeForm invitationId={i.id} email={i.email} />
                </li>
              ))}
            </ul>
          )}
        </section>
      ) : null}

      <Card
        danger
        title="Leave this workspace"
        headingId="leave-heading"
        description={
          session.role === "owner"
            ? "If you are the last owner, make someone else an owner first."
            : "You can be invited back later."
        }
      >
        <LeaveForm tenantName={session.tenantName} />
      </Card>
    </div>
  );
}
