import { withTenant } from "@/db";
import { authenticateApiKey } from "@/lib/api-keys/authenticate";
import { jsonError } from "@/lib/api/responses";
import { getConversationForApi } from "@/lib/ingest/conversations";

// Another tenant's id, a missing id and a malformed id all get the same 404.
export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  const key = await authenticateApiKey(request);
  if (!key.ok) return key.response;
  const { id } = await params;
  const { tenantId } = key.caller;
  const conversation = await withTenant(tenantId, (tx) => getConversationForApi(tx, tenantId, id));
  return conversation ? Response.json(conversation) : jsonError(404, "not_found", "No conversation with this id.");
}
