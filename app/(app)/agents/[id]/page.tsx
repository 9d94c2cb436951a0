import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { ChannelBadge } from "@/components/badges";
import { AgentStateBadge } from "@/components/agent-state-badge";
import { FormMessage } from "@/components/form";
import { BackLink, Card, PageTitle, TextLink, TitleFacts } from "@/components/ui";
import { ok } from "@/lib/form-state";
import { getAgent } from "@/features/agents/queries";
import { can } from "@/lib/permissions";
import { requireTenant, withSessionTenant } from "@/lib/auth/session";
import { isUuid } from "@/db";
import { AgentStatusForm, RenameAgentForm } from "../agent-forms";

export const metadata: Metadata = { title: "Agent" };

const dateFormat = new Intl.DateTimeFormat("en-US", { dateStyle: "medium", timeZone: "UTC" });

export default async function AgentPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<{ created?: string }>;
}) {
  const { id } = await params;
  const { created } = await searchParams;
  // Malformed, missing and other-tenant ids all end in the same 404.
  if (!isUuid(id)) notFound();
  const session = await requireTenant("agents.read");
  const agent = await withSessionTenant(session, (tx) => getAgent(tx, session.tenantId, id.toLowerCase()));
  const canUpdate = can(session.role, "agents.update");
  if (!agent) notFound();
  const disabled = agent.disabledAt !== null;

  return (
    <div className="space-y-6">
      <BackLink href="/agents">All agents</BackLink>
      {created ? <FormMessage state={ok(`Agent ${agent.name} created.`)} /> : null}
      <header className="space-y-2">
        <PageTitle data-testid="agent-name">{agent.name}</PageTitle>
        <TitleFacts>
          <ChannelBadge channel={agent.channel} />
          <span>{agent.vertical}</span>
          <AgentStateBadge disabled={disabled} />
          <span>Created {dateFormat.format(agent.createdAt)}</span>
          <TextLink href={`/conversations?agent=${agent.id}`}>
            {agent.conversations.toLocaleString("en-US")} conversations
          </TextLink>
        </TitleFacts>
      </header>
      {canUpdate ? (
        <div className="grid gap-4 md:grid-cols-2">
          <Card title="Rename" headingId="rename-heading">
            <RenameAgentForm agentId={agent.id} name={agent.name} />
          </Card>
          <Card title="Status" headingId="status-heading">
            <AgentStatusForm agentId={agent.id} disabled={disabled} />
          </Card>
        </div>
      ) : (
        <p className="text-sm text-slate-500 dark:text-slate-400">Owners and admins can rename and disable agents.</p>
      )}
    </div>
  );
}
