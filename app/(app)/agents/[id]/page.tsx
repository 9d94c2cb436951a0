import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { ChannelBadge } from "@/components/badges";
import { AgentStateBadge } from "@/components/agent-state-badge";
import { FormMessage } from "@/components/form";
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
      <Link href="/agents" className="text-sm text-indigo-700 hover:underline dark:text-indigo-300">
        ← All agents
      </Link>
      {created ? <FormMessage state={ok(`Agent ${agent.name} created.`)} /> : null}
      <header className="space-y-2">
        <h1 className="text-xl font-semibold" data-testid="agent-name">
          {agent.name}
        </h1>
        <div className="flex flex-wrap items-center gap-x-4 gap-y-1 text-sm text-slate-600 dark:text-slate-400">
          <ChannelBadge channel={agent.channel} />
          <span>{agent.vertical}</span>
          <AgentStateBadge disabled={disabled} />
          <span>Created {dateFormat.format(agent.createdAt)}</span>
          <Link
            href={`/conversations?agent=${agent.id}`}
            className="text-indigo-700 hover:underline dark:text-indigo-300"
          >
            {agent.conversations.toLocaleString("en-US")} conversations
          </Link>
        </div>
      </header>
      {canUpdate ? (
        <div className="grid gap-4 md:grid-cols-2">
          <section
            aria-labelledby="rename-heading"
            className="rounded-xl border border-slate-200 bg-white p-5 dark:border-slate-800 dark:bg-slate-900"
          >
            <h2 id="rename-heading" className="mb-3 font-medium">
              Rename
            </h2>
            <RenameAgentForm agentId={agent.id} name={agent.name} />
          </section>
          <section
            aria-labelledby="status-heading"
            className="rounded-xl border border-slate-200 bg-white p-5 dark:border-slate-800 dark:bg-slate-900"
          >
            <h2 id="status-heading" className="mb-3 font-medium">
              Status
            </h2>
            <AgentStatusForm agentId={agent.id} disabled={disabled} />
          </section>
        </div>
      ) : (
        <p className="text-sm text-slate-500 dark:text-slate-400">Owners and admins can rename and disable agents.</p>
      )}
    </div>
  );
}
