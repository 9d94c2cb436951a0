import { conversationPageQuery, toPage } from "@/features/conversations/queries";
import { requireTenant, withSessionTenant } from "@/lib/auth/session";
import { PlainRows } from "../../../bench-floor/floor";

/**
 * The list's floor inside the app shell: what every signed-in page does before its own content (the
 * middleware, the session and membership checked in the database, the layout with its workspace
 * switcher and navigation), then the list's query in the page's transaction, as plain rows. Beside
 * the list floor it tells how much of a page's gap is the shell and how much its own content.
 */
export default async function ListInShellFloorPage() {
  const session = await requireTenant("conversations.read");
  const rows = await withSessionTenant(session, (tx) => conversationPageQuery(tx, session.tenantId, {}, null), {
    read: true,
  });
  return (
    <PlainRows
      rows={toPage(rows).rows.map((c) => ({
        key: c.id,
        cells: [c.agentName, c.channel, c.summary, c.caller, c.startedAt.toISOString(), c.status],
      }))}
    />
  );
}
