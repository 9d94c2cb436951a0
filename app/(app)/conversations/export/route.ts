import { NextResponse, type NextRequest } from "next/server";
import { withTenant } from "@/db";
import { agentOptions } from "@/lib/agents";
import { recordAudit } from "@/lib/audit";
import { parseFilters } from "@/lib/conversation-filters";
import { listConversations, type Cursor } from "@/lib/conversations";
import { csvRow } from "@/lib/csv";
import { assertCan, ForbiddenError } from "@/lib/permissions";
import { currentTenant } from "@/lib/tenancy";

/**
 * GET /conversations/export?<the list's filters>: every conversation matching the filters, newest
 * first, streamed as CSV in keyset batches (each its own short withTenant transaction, so a large
 * export holds no transaction or connection open while the browser downloads).
 */
const batchSize = 500;
const header = ["conversation_id", "started_at", "agent", "channel", "status", "duration_seconds", "caller", "summary"];

function plain(status: number, message: string) {
  return new NextResponse(`${message}\n`, {
    status,
    headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" },
  });
}

export async function GET(request: NextRequest) {
  const session = await currentTenant();
  try {
    assertCan(session.role, "conversations", "export");
  } catch (error) {
    if (error instanceof ForbiddenError) return plain(403, error.message);
    throw error;
  }
  const parsed = parseFilters(request.nextUrl.searchParams);
  if (!parsed.ok) {
    return plain(
      400,
      `Invalid filters: ${Object.entries(parsed.errors)
        .map(([k, v]) => `${k}: ${v}`)
        .join("; ")}`,
    );
  }
  const filters = parsed.filters;
  const context = { userId: session.userId };

  const unknownAgent = await withTenant(
    session.tenantId,
    async (tx) => {
      if (filters.agent && !(await agentOptions(tx, session.tenantId)).some((a) => a.id === filters.agent)) return true;
      // Recorded before the first row leaves, in its own transaction: an aborted download is still on record.
      await recordAudit(tx, {
        tenantId: session.tenantId,
        actorUserId: session.userId,
        action: "conversations.exported",
        metadata: { filters },
      });
      return false;
    },
    context,
  );
  // Another tenant's agent id is as unknown here as a made-up one.
  if (unknownAgent) return plain(404, "No such agent in this workspace.");

  let cursor: Cursor | null = null;
  let headerSent = false;
  const encoder = new TextEncoder();
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { rows, next } = await withTenant(
          session.tenantId,
          (tx) => listConversations(tx, session.tenantId, filters, cursor, batchSize),
          context,
        );
        let chunk = headerSent ? "" : csvRow(header);
        headerSent = true;
        for (const r of rows)
          chunk += csvRow([
            r.id,
            r.startedAt,
            r.agentName,
            r.channel,
            r.status,
            r.durationSeconds,
            r.caller,
            r.summary,
          ]);
        controller.enqueue(encoder.encode(chunk));
        const last = rows.at(-1);
        if (!next || !last) controller.close();
        else cursor = { startedAt: last.startedAt, id: last.id };
      } catch (error) {
        console.error("CSV export failed", error);
        controller.error(error);
      }
    },
  });

  const day = new Date().toISOString().slice(0, 10);
  return new NextResponse(stream, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      // The slug is [a-z0-9-] by a CHECK constraint: safe inside the quoted filename.
      "Content-Disposition": `attachment; filename="conversations-${session.tenantSlug}-${day}.csv"`,
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
}
