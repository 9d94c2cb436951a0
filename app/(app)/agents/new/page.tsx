import type { Metadata } from "next";
import { BackLink, Card, Notice, PageTitle } from "@/components/ui";
import { can } from "@/lib/permissions";
import { requireTenant } from "@/lib/auth/session";
import { CreateAgentForm } from "../agent-forms";

export const metadata: Metadata = { title: "New agent" };

export default async function NewAgentPage() {
  const session = await requireTenant("agents.read");
  return (
    <div className="max-w-lg space-y-4">
      <BackLink href="/agents">All agents</BackLink>
      <PageTitle>New agent</PageTitle>
      {can(session.role, "agents.create") ? (
        <Card>
          <CreateAgentForm />
        </Card>
      ) : (
        <Notice tone="warning">
          Only owners and admins can create agents; you are a {session.role} in {session.tenantName}.
        </Notice>
      )}
    </div>
  );
}
