import type { Metadata } from "next";
import { redirect } from "next/navigation";
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
import { LinkList } from "@/components/link-list";
import { agentOptions } from "@/features/agents/queries";
import { filtersQuery, hasFilters, parseFilters, type FilterErrors } from "@/features/conversations/filters";
import {
  conversationPageQuery,
  decodeCursor,
  emptySearchQuery,
  isEmptySearch,
  toPage,
} from "@/features/conversations/queries";
import { formatDuration, formatStart } from "@/lib/format";
import { can } from "@/lib/permissions";
import { requireTenant, withSessionTenant } from "@/lib/auth/session";
import { lastly } from "@/db";
import { channels, conversationStatuses } from "@/db/schema";
import { ConversationRows } from "./conversation-rows";
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
  // One transaction, one round trip: the agents (the filter menu), the page and, for a search, whether
  // its words are all stop words, sent together with BEGIN, the context and COMMIT. The page is read
  // before the filters are checked against the agents: an agent of another tenant (or a search of stop
  // words) matches nothing under RLS, and the rows are not shown when a filter needs fixing.
  const data = await withSessionTenant(
    session,
    async (tx) => {
      if (!parsed.ok) return { agents: await agentOptions(tx, session.tenantId), errors: parsed.errors, result: null };
      const { filters } = parsed;
      const [agents, rows, empty] = await lastly(tx, [
        agentOptions(tx, session.tenantId),
        conversationPageQuery(tx, session.tenantId, filters, cursor),
        ...(filters.q ? [emptySearchQuery(tx, filters.q)] : []),
      ]);
      const errors: FilterErrors = {};
      // Another tenant's agent id is as unknown here as a made-up one.
      if (filters.agent && !agents.some((a) => a.id === filters.agent))
        errors.agent = "No such agent in this workspace.";
      if (empty && isEmptySearch(empty))
        errors.q = "These words are too common to search for; add a more specific word.";
      return { agents, errors, result: Object.keys(errors).length > 0 ? null : toPage(rows) };
    },
    { read: true },
  );

  const { raw } = parsed;
  const filtered = hasFilters(raw);
  const result = data.result;
  // A result of a search opens with the transcript's matches marked.
  const searchQuery =
    parsed.ok && parsed.filters.q ? `?${new URLSearchParams({ q: parsed.filters.q }).toString()}` : "";

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
      <FiltersForm
        key={filtersQuery(raw)}
        raw={raw}
        errors={data.errors}
        agents={data.agents}
        channels={channels}
        statuses={conversationStatuses}
        filtered={filtered}
      />
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
        <LinkList className={`overflow-hidden ${cardClass} ${dividedClass}`} data-testid="conversation-list">
          <ConversationRows
            searchQuery={searchQuery}
            rows={result.rows.map((c) => ({
              id: c.id,
              agentName: c.agentName,
              channel: c.channel,
              summary: c.headline ?? c.summary.split("\n")[0] ?? "",
              search: c.headline !== null,
              caller: c.caller,
              started: formatStart(c.startedAt),
              duration: formatDuration(c.durationSeconds),
              status: c.status,
            }))}
          />
        </LinkList>
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
