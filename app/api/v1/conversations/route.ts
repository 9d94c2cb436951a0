import { withTenant } from "@/db";
import { authenticateApiKey } from "@/lib/api-keys/authenticate";
import { jsonError, readJsonBody } from "@/lib/api/responses";
import {
  createConversation,
  InvalidCursorError,
  listConversationsForApi,
  UnknownAgentError,
} from "@/lib/ingest/conversations";
import { conversationInput, listQuery } from "@/lib/ingest/schema";

// The tenant is the API key's, never a field of the request.

export async function POST(request: Request): Promise<Response> {
  const key = await authenticateApiKey(request);
  if (!key.ok) return key.response;
  const input = await readJsonBody(request, conversationInput);
  if (!input.ok) return input.response;
  const { tenantId } = key.caller;
  try {
    const created = await withTenant(tenantId, (tx) => createConversation(tx, tenantId, input.data));
    return Response.json(created, { status: 201, headers: { Location: `/api/v1/conversations/${created.id}` } });
  } catch (error) {
    if (error instanceof UnknownAgentError) {
      return jsonError(400, "invalid_body", "The body failed validation; see fields.", {
        fields: { agent: [error.message] },
      });
    }
    throw error;
  }
}

export async function GET(request: Request): Promise<Response> {
  const key = await authenticateApiKey(request);
  if (!key.ok) return key.response;
  const params = Object.fromEntries(new URL(request.url).searchParams);
  const query = listQuery.safeParse(params);
  if (!query.success) {
    return jsonError(400, "invalid_query", "The query string failed validation.", {
      fields: Object.fromEntries(query.error.issues.map((i) => [i.path.join(".") || "(query)", [i.message]])),
    });
  }
  const { tenantId } = key.caller;
  try {
    return Response.json(await withTenant(tenantId, (tx) => listConversationsForApi(tx, tenantId, query.data)));
  } catch (error) {
    if (error instanceof InvalidCursorError)
      return jsonError(400, "invalid_query", error.message, { fields: { after: [error.message] } });
    throw error;
  }
}
