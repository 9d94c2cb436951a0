import type { Metadata } from "next";
import Link from "next/link";
import { ChannelBadge } from "@/components/badges";
import { AgentStateBadge } from "@/components/agent-state-badge";
import { ButtonLink, DataTable, EmptyState, PageHeader, Td, TextLink, Th } from "@/components/ui";
import { listAgents } from "@/features/agents/queries";
import { can } from "@/lib/permissions";
import { requireTenant, withSessionTenant } from "@/lib/auth/session";

export const metadata: Metadata = { title: "Agents" };

const dateFormat = new Intl.DateTimeFormat("en-US", { dateStyle: "medium", timeZone: "UTC" });

export default async function AgentsPage() {
  const session = await requireTenant("agents.read");
  const agents = await withSessionTenant(session, (tx) => listAgents(tx, session.tenantId));
  const canCreate = can(session.role, "agents.create");

  return (
    <div className="space-y-4">
      <PageHeader title="Agents">
        {canCreate ? (
          <ButtonLink href="/agents/new">New agent</ButtonLink>
        ) : (
          <p className="text-sm text-slate-500 dark:text-slate-400">Owners and admins can add and change agents.</p>
        )}
      </PageHeader>
      {agents.length === 0 ? (
        <EmptyState>No agents yet.{canCreate ? " Create one to start taking calls and chats." : ""}</EmptyState>
      ) : (
        <DataTable
          data-testid="agent-table"
          caption="Agents of this workspace with their conversation counts"
          head={
            <>
              <Th>Name</Th>
              <Th>Channel</Th>
              <Th className="hidden md:table-cell">Line of business</Th>
              <Th>Status</Th>
              <Th numeric>Convers&shy;ations</Th>
              <Th className="hidden md:table-cell">Created</Th>
            </>
          }
        >
          {agents.map((a) => (
            <tr key={a.id} data-agent-id={a.id}>
              <Th scope="row">
                <TextLink href={`/agents/${a.id}`}>{a.name}</TextLink>
              </Th>
              <Td>
                <ChannelBadge channel={a.channel} />
              </Td>
              <Td className="hidden md:table-cell">{a.vertical}</Td>
              <Td>
                <AgentStateBadge disabled={a.disabledAt !== null} />
              </Td>
              <Td numeric>
                <Link
                  href={`/conversations?agent=${a.id}`}
                  className="hover:underline"
                  aria-label={`${a.conversations} conversations of ${a.name}`}
                >
                  {a.conversations.toLocaleString("en-US")}
                </Link>
              </Td>
              <Td date className="hidden md:table-cell">
                {dateFormat.format(a.createdAt)}
              </Td>
            </tr>
          ))}
        </DataTable>
      )}
    </div>
  );
}
