import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { ChannelBadge, StatusBadge } from "@/components/badges";
import { Highlighted, hasHighlight } from "@/components/highlighted";
import {
  buttonClass,
  Callout,
  cardClass,
  dividedClass,
  EmptyState,
  PageHeader,
  Pagination,
  TextLink,
} from "@/components/ui";
import { agentOptions } from "@/features/agents/queries";
import { filtersQuery, hasFilters, parseFilters, type FilterErrors } from "@/features/conversations/filters";
import { decodeCursor, isEmptySearch, listConversations, searchHighlights } from "@/features/conversations/queries";
import { formatDuration, formatStart } from "@/lib/format";
import { can } from "@/lib/permissions";
import { requireTenant, withSessionTenant } from "@/lib/auth/session";
import { FiltersForm } from "./filters-form";

export const metadata: Metadata = { title: "Conversations" };

type SearchParams = Record<string, string | string[] | undefined>;

export default async function ConversationsPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const params = await searchParams;
  const parsed = parseFilters(params);
  const after = typeof params.after === "string" ? params.after : undefined;
  const cursor = after ? decodeCursor(after) : null;
  // A malformed cursor starts over with the same filters; a well-formed one from any tenant only
  // positions the keyset.
  if (after !== undefined && !cursor) redirect(`/conversations${filtersQuery(parsed.raw)}`);

  const session = await requireTenant("conversations.read");
  const canExport = can(session.role, "conversations.export");
  const data = await withSessionTenant(
    session,
    async (tx) => {
      const agents = await agentOptions(tx, session.tenantId);
      const errors: FilterErrors = parsed.ok ? {} : { ...parsed.errors };
      if (parsed.ok) {
        // Another tenant's agent id is as unknown here as a made-up one.
        if (parsed.filters.agent && !agents.some((a) => a.id === parsed.filters.agent))
          errors.agent = "No such agent in this workspace.";
        if (parsed.filters.q && (await isEmptySearch(tx, parsed.filters.q)))
          errors.q = "These words are too common to search for; add a more specific word.";
      }
      if (!parsed.ok || Object.keys(errors).length > 0) return { agents, errors, result: null };
      const page = await listConversations(tx, session.tenantId, parsed.filters, cursor);
      const highlights = parsed.filters.q
        ? await searchHighlights(
            tx,
            session.tenantId,
            page.rows.map((r) => r.id),
            parsed.filters.q,
          )
        : null;
      return { agents, errors, result: { ...page, highlights } };
    },
    { read: true },
  );

  const { raw } = parsed;
  const filtered = hasFilters(raw);
  const result = data.result;

  return (
    <div className="space-y-4">
      <PageHeader title="Conversations">
        <div className="flex items-center gap-4 text-sm">
          <span className="text-slate-500 dark:text-slate-400">Newest first</span>
          {canExport && result ? (
            <a
              href={`/conversations/export${filtersQuery(raw)}`}
              download
              className={buttonClass("secondary")}
              data-testid="export-csv"
            >
              Export CSV
            </a>
          ) : null}
        </div>
      </PageHeader>
      <FiltersForm key={filtersQuery(raw)} raw={raw} errors={data.errors} agents={data.agents} />
      {!result ? (
        <Callout tone="warning" role="alert">
          Some filters need fixing (see the messages above); no results are shown until then.
        </Callout>
      ) : result.rows.length === 0 ? (
        <EmptyState data-testid="empty-results">
          {cursor
            ? "No older conversations."
            : filtered
              ? "No conversations match these filters."
              : "No conversations yet. They appear here as your agents handle calls and chats."}
        </EmptyState>
      ) : (
        <ul className={`overflow-hidden ${cardClass} ${dividedClass}`} data-testid="conversation-list">
          {result.rows.map((c) => {
            const highlight = result.highlights?.get(c.id);
            return (
              <li key={c.id} data-conversation-id={c.id}>
                <Link
                  href={`/conversations/${c.id}`}
                  className="grid gap-1 px-4 py-3 hover:bg-slate-50 focus:outline-none focus-visible:bg-slate-50 focus-visible:ring-2 focus-visible:ring-inset focus-visible:ring-indigo-500/50 sm:grid-cols-[10rem_1fr_auto] sm:gap-4 dark:hover:bg-slate-800/60 dark:focus-visible:bg-slate-800/60"
                >
                  <div className="text-sm">
                    <div className="font-medium">{c.agentName}</div>
                    <ChannelBadge channel={c.channel} />
                  </div>
                  <div className="min-w-0">
                    {highlight ? (
                      <>
                        <div className="text-sm" data-testid="summary">
                          <Highlighted text={highlight.summary} />
                        </div>
                        {hasHighlight(highlight.transcript) ? (
                          <div
                            className="mt-1 text-xs text-slate-600 dark:text-slate-400"
                            data-testid="transcript-excerpt"
                          >
                            <span className="sr-only">Transcript: </span>“<Highlighted text={highlight.transcript} />”
                          </div>
                        ) : null}
                      </>
                    ) : (
                      <div className="truncate text-sm" data-testid="summary">
                        {c.summary.split("\n")[0]}
                      </div>
                    )}
                    <div className="text-xs text-slate-500 dark:text-slate-400">
                      {c.caller} · {formatStart(c.startedAt)} · {formatDuration(c.durationSeconds)}
                    </div>
                  </div>
                  <div className="sm:text-right">
                    <StatusBadge status={c.status} />
                  </div>
                </Link>
              </li>
            );
          })}
        </ul>
      )}
      <Pagination
        newer={cursor ? <TextLink href={`/conversations${filtersQuery(raw)}`}>← Newest</TextLink> : null}
        older={
          result?.next ? (
            <TextLink href={`/conversations${filtersQuery(raw, result.next)}`} data-testid="next-page">
              Older →
            </TextLink>
          ) : null
        }
      />
    </div>
  );
}
