import type { Metadata } from "next";
import Link from "next/link";
import { ChannelBadge } from "@/components/badges";
import { AgentStateBadge } from "@/components/agent-state-badge";
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
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h1 className="text-xl font-semibold">Agents</h1>
        {canCreate ? (
          <Link
            href="/agents/new"
            className="rounded-md bg-indigo-600 px-4 py-2 text-sm font-medium text-white hover:bg-indigo-500 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500/50"
          >
            New agent
          </Link>
        ) : (
          <p className="text-sm text-slate-500 dark:text-slate-400">Owners and admins can add and change agents.</p>
        )}
      </div>
      {agents.length === 0 ? (
        <div className="rounded-xl border border-dashed border-slate-300 p-10 text-center text-slate-600 dark:border-slate-700 dark:text-slate-400">
          No agents yet.{canCreate ? " Create one to start taking calls and chats." : ""}
        </div>
      ) : (
        <div className="overflow-x-auto rounded-xl border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
          <table className="w-full text-left text-sm" data-testid="agent-table">
            <caption className="sr-only">Agents of this workspace with their conversation counts</caption>
            <thead className="border-b border-slate-200 text-xs uppercase tracking-wide text-slate-500 dark:border-slate-800 dark:text-slate-400">
              <tr>
                <th scope="col" className="px-4 py-2 font-medium">
                  Name
                </th>
                <th scope="col" className="px-4 py-2 font-medium">
                  Channel
                </th>
                <th scope="col" className="hidden px-4 py-2 font-medium md:table-cell">
                  Line of business
                </th>
                <th scope="col" className="px-4 py-2 font-medium">
                  Status
                </th>
                <th scope="col" className="px-4 py-2 text-right font-medium">
                  Convers&shy;ations
                </th>
                <th scope="col" className="hidden px-4 py-2 font-medium md:table-cell">
                  Created
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-200 dark:divide-slate-800">
              {agents.map((a) => (
                <tr key={a.id} data-agent-id={a.id}>
                  <th scope="row" className="px-4 py-3 font-medium">
                    <Link href={`/agents/${a.id}`} className="text-indigo-700 hover:underline dark:text-indigo-300">
                      {a.name}
                    </Link>
                  </th>
                  <td className="px-4 py-3">
                    <ChannelBadge channel={a.channel} />
                  </td>
                  <td className="hidden px-4 py-3 md:table-cell">{a.vertical}</td>
                  <td className="px-4 py-3">
                    <AgentStateBadge disabled={a.disabledAt !== null} />
                  </td>
                  <td className="px-4 py-3 text-right tabular-nums">
                    <Link
                      href={`/conversations?agent=${a.id}`}
                      className="hover:underline"
                      aria-label={`${a.conversations} conversations of ${a.name}`}
                    >
                      {a.conversations.toLocaleString("en-US")}
                    </Link>
                  </td>
                  <td className="hidden px-4 py-3 text-slate-600 md:table-cell dark:text-slate-400">
                    {dateFormat.format(a.createdAt)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
