import {
  createConversation,
  InvalidCursorError,
  listConversationsForApi,
  UnknownAgentError,
} from "@/features/ingest/conversations";
import { conversationInput, listQuery } from "@/features/ingest/schema";
import { routeCaller, withCaller } from "@/lib/http/caller";
import { apiRoute, jsonError, readJsonBody } from "@/lib/http/json";

// The tenant is the API key's, never a field of the request.

export const POST = apiRoute(async (request: Request): Promise<Response> => {
  const who = await routeCaller(request, { permission: "conversations.create", accept: ["api_key"] });
  if (!who.ok) return who.response;
  const input = await readJsonBody(request, conversationInput);
  if (!input.ok) return input.response;
  const { caller } = who;
  try {
    const created = await withCaller(caller, (tx) => createConversation(tx, caller.tenantId, input.data));
    return Response.json(created, { status: 201, headers: { Location: `/api/v1/conversations/${created.id}` } });
  } catch (error) {
    if (error instanceof UnknownAgentError) {
      return jsonError(400, "invalid_body", "The body failed validation; see fields.", {
        fields: { agent: [error.message] },
      });
    }
    throw error;
  }
});

export const GET = apiRoute(async (request: Request): Promise<Response> => {
  const who = await routeCaller(request, { permission: "conversations.read", accept: ["api_key"] });
  if (!who.ok) return who.response;
  const query = listQuery.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  if (!query.success) {
    return jsonError(400, "invalid_query", "The query string failed validation.", {
      fields: Object.fromEntries(query.error.issues.map((i) => [i.path.join(".") || "(query)", [i.message]])),
    });
  }
  const { caller } = who;
  try {
    return Response.json(
      await withCaller(caller, (tx) => listConversationsForApi(tx, caller.tenantId, query.data), { read: true }),
    );
  } catch (error) {
    if (error instanceof InvalidCursorError) {
      return jsonError(400, "invalid_query", error.message, { fields: { after: [error.message] } });
    }
    throw error;
  }
});
