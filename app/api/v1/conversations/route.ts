import {
  ingestConversation,
  InvalidCursorError,
  listConversationsForApi,
  UnknownAgentError,
} from "@/features/ingest/conversations";
import { idempotencyClaim } from "@/features/ingest/idempotency";
import { conversationInput, listQuery } from "@/features/ingest/schema";
import { routeCaller, withCaller } from "@/lib/http/caller";
import { apiRoute, jsonError, readHeader, readJsonBody } from "@/lib/http/json";
import { idempotencyKeyField } from "@/lib/validation";

// The tenant is the API key's, never a field of the request.

export const POST = apiRoute(async (request: Request): Promise<Response> => {
  const who = await routeCaller(request, { permission: "conversations.create", accept: ["api_key"] });
  if (!who.ok) return who.response;
  const key = readHeader(request, "Idempotency-Key", idempotencyKeyField);
  if (!key.ok) return key.response;
  const input = await readJsonBody(request, conversationInput);
  if (!input.ok) return input.response;
  const { caller } = who;
  const claim = key.value === undefined ? undefined : idempotencyClaim(key.value, input.data);
  try {
    const outcome = await ingestConversation((fn) => withCaller(caller, fn), caller.tenantId, input.data, claim);
    if (outcome.kind === "key_reused") {
      return jsonError(422, "idempotency_key_reused", "This Idempotency-Key was used with another body.", {
        fields: { "Idempotency-Key": ["Used before with another body: use a new key for a new request."] },
      });
    }
    const { conversation } = outcome;
    // A replay answers what the first request answered (the conversation as it is now), marked as such.
    return Response.json(conversation, {
      status: 201,
      headers: {
        Location: `/api/v1/conversations/${conversation.id}`,
        ...(outcome.kind === "replayed" ? { "Idempotent-Replayed": "true" } : {}),
      },
    });
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
