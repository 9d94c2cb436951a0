import { notFound } from "next/navigation";
import { getConversation } from "@/features/conversations/queries";
import { PlainRows, inSessionTenant } from "../../floor";

/** The detail page's floor: session, withTenant and its query, the turns as plain rows. */
export default async function DetailFloorPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const conversation = await inSessionTenant((tx, tenantId) => getConversation(tx, tenantId, id));
  if (!conversation) notFound();
  return (
    <>
      <h1>{conversation.summary}</h1>
      <PlainRows
        rows={conversation.turns.map((t) => ({ key: String(t.position), cells: [t.speaker, t.offsetMs, t.text] }))}
      />
    </>
  );
}
