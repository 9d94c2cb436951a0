import { getConversationForApi } from "@/features/ingest/conversations";
import { notFoundJson, routeCaller, withCaller } from "@/lib/http/caller";
import { apiRoute } from "@/lib/http/json";

// Another tenant's id, a missing id and a malformed id all get the same 404.
export const GET = apiRoute(
  async (request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> => {
    const who = await routeCaller(request, { permission: "conversations.read", accept: ["api_key"] });
    if (!who.ok) return who.response;
    const { id } = await params;
    const { caller } = who;
    const conversation = await withCaller(caller, (tx) => getConversationForApi(tx, caller.tenantId, id), {
      read: true,
    });
    return conversation ? Response.json(conversation) : notFoundJson("No conversation with this id.");
  },
);
