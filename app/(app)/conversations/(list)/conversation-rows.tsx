"use client";

import { ChannelBadge, StatusBadge } from "@/components/badges";
import { Highlighted, hasHighlight } from "@/components/highlighted";

/** A row of the list as the server sends it: plain data, dates and durations already formatted. */
export interface ConversationRow {
  id: string;
  agentName: string;
  channel: string;
  /** In a search, the summary with its matches marked (lib/highlight.ts); otherwise its first line. */
  summary: string;
  search: boolean;
  caller: string;
  started: string;
  duration: string;
  status: string;
}

/**
 * The list's rows, from plain data (see "Many repeated elements" in docs/architecture.md), as plain
 * anchors: the page puts them in a `LinkList`, which navigates client-side.
 */
export function ConversationRows({ rows, searchQuery }: { rows: ConversationRow[]; searchQuery: string }) {
  return rows.map((c) => (
    <li key={c.id} data-conversation-id={c.id}>
      <a href={`/conversations/${c.id}${searchQuery}`} className="list-row">
        <span className="row-agent">{c.agentName}</span>
        <ChannelBadge channel={c.channel} className="row-channel" />
        {c.search ? (
          <div className="row-summary" data-testid="summary">
            <Highlighted text={c.summary} />
            {hasHighlight(c.summary) ? null : <span className="muted"> (matched in the transcript)</span>}
          </div>
        ) : (
          <div className="row-summary truncate" data-testid="summary">
            {c.summary}
          </div>
        )}
        {/* One text node, not five with markers between them in the HTML. */}
        <div className="row-meta muted">{`${c.caller} · ${c.started} · ${c.duration}`}</div>
        <StatusBadge status={c.status} className="row-status" />
      </a>
    </li>
  ));
}
