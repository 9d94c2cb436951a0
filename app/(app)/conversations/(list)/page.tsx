import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { ChannelBadge, StatusBadge } from "@/components/badges";
import { decodeCursor, listConversations } from "@/lib/conversations";
import { formatDuration, formatStart } from "@/lib/format";
import { withSessionTenant } from "@/lib/tenancy";

export const metadata: Metadata = { title: "Conversations" };

export default async function ConversationsPage({ searchParams }: { searchParams: Promise<{ after?: string | string[] }> }) {
  const { after } = await searchParams;
  const cursor = typeof after === "string" ? decodeCursor(after) : null;
  // A malformed cursor starts over; a well-formed one from any tenant only positions the keyset.
  if (after !== undefined && !cursor) redirect("/conversations");
  const { rows, next } = await withSessionTenant((tx, session) => listConversations(tx, session.tenantId, cursor));

  return (
    <div className="space-y-4">
      <div className="flex items-baseline justify-between">
        <h1 className="text-xl font-semibold">Conversations</h1>
        <p className="text-sm text-slate-500">Newest first</p>
      </div>
      {rows.length === 0 ? (
        <div className="rounded-xl border border-dashed border-slate-300 p-10 text-center text-slate-600 dark:border-slate-700 dark:text-slate-400">
          {cursor ? "No older conversations." : "No conversations yet. They appear here as your agents handle calls and chats."}
        </div>
      ) : (
        <ul className="divide-y divide-slate-200 overflow-hidden rounded-xl border border-slate-200 bg-white dark:divide-slate-800 dark:border-slate-800 dark:bg-slate-900" data-testid="conversation-list">
          {rows.map((c) => (
            <li key={c.id}>
              <Link href={`/conversations/${c.id}`} className="grid gap-1 px-4 py-3 hover:bg-slate-50 sm:grid-cols-[10rem_1fr_auto] sm:gap-4 dark:hover:bg-slate-800/60">
                <div className="text-sm">
                  <div className="font-medium">{c.agentName}</div>
                  <ChannelBadge channel={c.channel} />
                </div>
                <div className="min-w-0">
                  <div className="truncate text-sm">{c.summaryFirstLine}</div>
                  <div className="text-xs text-slate-500">{c.caller} · {formatStart(c.startedAt)} · {formatDuration(c.durationSeconds)}</div>
                </div>
                <div className="sm:text-right"><StatusBadge status={c.status} /></div>
              </Link>
            </li>
          ))}
        </ul>
      )}
      <nav className="flex justify-between text-sm" aria-label="Pagination">
        {cursor ? <Link href="/conversations" className="text-indigo-600 hover:underline dark:text-indigo-400">← Newest</Link> : <span />}
        {next ? <Link href={`/conversations?after=${next}`} className="text-indigo-600 hover:underline dark:text-indigo-400" data-testid="next-page">Older →</Link> : null}
      </nav>
    </div>
  );
}
