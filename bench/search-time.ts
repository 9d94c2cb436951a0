import { and, eq, inArray, sql } from "drizzle-orm";
import postgres from "postgres";
import { lastly, together, type TenantTx } from "@/db";
import { conversations, conversationTurns } from "@/db/schema";
import { separateAppUserScope } from "@/db/tenant";
import { agentOptions } from "@/features/agents/queries";
import { conversationPageQuery, emptySearchQuery, searchQuery } from "@/features/conversations/queries";
import { backendsCpuMs } from "./cpu";

/**
 * PostgreSQL time of a search page's statements, without HTTP: the page's transaction as the app
 * sends it (agents, the page with its summaries highlighted, the stop-word check), and the same
 * followed by excerpts of the page's 50 whole transcripts, as the search page used to make them (the
 * reference; a frozen copy below). CPU of the app_user backends from /proc, in alternating blocks.
 */
const start = "\u0002";
const stop = "\u0003";
const transcriptOptions = `StartSel=${start}, StopSel=${stop}, MaxFragments=2, MinWords=6, MaxWords=16, FragmentDelimiter=" … "`;

function transcriptExcerpts(tx: TenantTx, tenantId: string, ids: string[], q: string) {
  const transcript = tx
    .select({
      conversationId: conversationTurns.conversationId,
      text: sql<string>`string_agg(${conversationTurns.text}, ' ' order by ${conversationTurns.position})`.as("text"),
    })
    .from(conversationTurns)
    .where(and(eq(conversationTurns.tenantId, tenantId), inArray(conversationTurns.conversationId, ids)))
    .groupBy(conversationTurns.conversationId)
    .as("transcript");
  return tx
    .select({
      id: conversations.id,
      transcript: sql<string>`coalesce(ts_headline('pg_catalog.english', translate(${transcript.text}, ${start + stop}, ''), ${searchQuery(q)}, ${transcriptOptions}), '')`,
    })
    .from(conversations)
    .leftJoin(transcript, eq(transcript.conversationId, conversations.id))
    .where(and(eq(conversations.tenantId, tenantId), inArray(conversations.id, ids)));
}

export interface SearchTime {
  term: string;
  calls: number;
  /** PostgreSQL CPU ms per search request, as the page reads it now and with the transcript excerpts. */
  pageMs: number;
  withTranscriptExcerptsMs: number;
}

export async function searchDatabaseTime(
  ownerUrl: string,
  postmaster: number,
  tenantSlug: string,
  term: string,
  blocks = 6,
  perBlock = 40,
): Promise<SearchTime> {
  const owner = postgres(ownerUrl, { max: 1, onnotice: () => undefined });
  const [tenant] = await owner<{ id: string }[]>`select id from tenants where slug = ${tenantSlug}`;
  await owner.end();
  const tenantId = tenant!.id;
  const scope = separateAppUserScope("bench:search-time");
  const filters = { q: term };
  const page = () =>
    scope.withTenant(tenantId, (tx) =>
      lastly(tx, [
        agentOptions(tx, tenantId),
        conversationPageQuery(tx, tenantId, filters, null),
        emptySearchQuery(tx, term),
      ]),
    );
  const withExcerpts = () =>
    scope.withTenant(tenantId, async (tx) => {
      const [, rows] = await together([
        agentOptions(tx, tenantId),
        conversationPageQuery(tx, tenantId, filters, null),
        emptySearchQuery(tx, term),
      ]);
      return transcriptExcerpts(
        tx,
        tenantId,
        rows.slice(0, 50).map((r) => r.id),
        term,
      );
    });
  const shapes = { page, withExcerpts };
  const spent = { page: 0, withExcerpts: 0 };
  try {
    for (const run of Object.values(shapes)) for (let i = 0; i < 10; i++) await run(); // warm
    for (let b = 0; b < blocks; b++) {
      for (const name of b % 2 === 0 ? (["page", "withExcerpts"] as const) : (["withExcerpts", "page"] as const)) {
        const before = backendsCpuMs(postmaster, "app_user");
        for (let i = 0; i < perBlock; i++) await shapes[name]();
        spent[name] += backendsCpuMs(postmaster, "app_user") - before;
      }
    }
  } finally {
    await scope.end();
  }
  const calls = blocks * perBlock;
  return { term, calls, pageMs: spent.page / calls, withTranscriptExcerptsMs: spent.withExcerpts / calls };
}
