import { conversationPageQuery, toPage } from "@/features/conversations/queries";
import { PlainRows, inSessionTenant } from "../floor";

/** The list's floor: session, withTenant and the list's query (a search with ?q=), as plain rows. */
export default async function ListFloorPage({ searchParams }: { searchParams: Promise<{ q?: string }> }) {
  const { q } = await searchParams;
  const rows = await inSessionTenant((tx, tenantId) => conversationPageQuery(tx, tenantId, { q }, null));
  return (
    <PlainRows
      rows={toPage(rows).rows.map((c) => ({
        key: c.id,
        cells: [c.agentName, c.channel, c.headline ?? c.summary, c.caller, c.startedAt.toISOString(), c.status],
      }))}
    />
  );
}
