import { exportStream, startExport } from "@/features/conversations/export";
import { parseFilters } from "@/features/conversations/filters";
import { routeCaller, withCaller, notFoundJson } from "@/lib/http/caller";
import { apiRoute, jsonError } from "@/lib/http/json";

/** GET /conversations/export?<the list's filters>: the matching conversations as CSV, newest first. */
export const GET = apiRoute(async (request: Request) => {
  const who = await routeCaller(request, { permission: "conversations.export", accept: ["member"] });
  if (!who.ok) return who.response;
  const { caller } = who;
  const parsed = parseFilters(new URL(request.url).searchParams);
  if (!parsed.ok) {
    const fields = Object.fromEntries(Object.entries(parsed.errors).map(([k, v]) => [k, [v]]));
    return jsonError(400, "invalid_query", "The filters failed validation; see fields.", { fields });
  }
  const started = await withCaller(caller, (tx) => startExport(tx, caller, parsed.filters));
  if (started === "unknown_agent") return notFoundJson("No such agent in this workspace.");

  const day = new Date().toISOString().slice(0, 10);
  return new Response(
    exportStream((fn) => withCaller(caller, fn), caller.tenantId, parsed.filters),
    {
      headers: {
        "Content-Type": "text/csv; charset=utf-8",
        // The slug is [a-z0-9-] by a CHECK constraint: safe inside the quoted filename.
        "Content-Disposition": `attachment; filename="conversations-${caller.session.tenantSlug}-${day}.csv"`,
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
      },
    },
  );
});
