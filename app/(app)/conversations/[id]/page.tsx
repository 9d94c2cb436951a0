import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { ChannelBadge, StatusBadge } from "@/components/badges";
import { Highlighted } from "@/components/highlighted";
import { parseFilters } from "@/features/conversations/filters";
import { BackLink, PageTitle, TitleFacts } from "@/components/ui";
import { getConversation } from "@/features/conversations/queries";
import { formatDuration, formatOffset, formatStart } from "@/lib/format";
import { requireTenant, withSessionTenant } from "@/lib/auth/session";
import { isUuid } from "@/db";

export const metadata: Metadata = { title: "Conversation" };

export default async function ConversationPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { id } = await params;
  // Opened from a search result: the transcript's matches are marked (an invalid q is ignored).
  const search = parseFilters(await searchParams);
  const q = search.ok ? search.filters.q : undefined;
  // Malformed, missing and other-tenant ids all end in the same 404.
  if (!isUuid(id)) notFound();
  const session = await requireTenant("conversations.read");
  const conversation = await withSessionTenant(
    session,
    (tx) => getConversation(tx, session.tenantId, id.toLowerCase(), q),
    { read: true },
  );
  if (!conversation) notFound();
  const [headline, ...details] = conversation.summary.split("\n");

  return (
    <article className="space-y-6">
      <BackLink href="/conversations">All conversations</BackLink>
      <header className="space-y-2">
        <PageTitle>{headline}</PageTitle>
        {details.length ? <p className="text-slate-600 dark:text-slate-400">{details.join(" ")}</p> : null}
        <TitleFacts>
          <span className="font-medium text-slate-900 dark:text-slate-100">{conversation.agentName}</span>
          <ChannelBadge channel={conversation.channel} />
          <span>{conversation.caller}</span>
          <span>{formatStart(conversation.startedAt)}</span>
          <span>{formatDuration(conversation.durationSeconds)}</span>
          <StatusBadge status={conversation.status} />
        </TitleFacts>
      </header>
      <ol className="space-y-3" data-testid="transcript">
        {conversation.turns.map((t) => (
          <li key={t.position} className={`turn turn-${t.speaker === "agent" ? "agent" : "caller"}`}>
            <div>
              <div className="turn-by">
                {t.speaker === "agent" ? conversation.agentName : "Caller"} · {formatOffset(t.offsetMs)}
              </div>
              <p className="whitespace-pre-wrap">{q ? <Highlighted text={t.text} /> : t.text}</p>
            </div>
          </li>
        ))}
      </ol>
    </article>
  );
}
