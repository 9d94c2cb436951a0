import type { TenantTx } from "@/db";
import { agentOptions } from "@/features/agents/queries";
import { recordAudit } from "@/lib/audit-log";
import { requestLogger } from "@/lib/logger";
import { csvRow } from "./csv";
import type { ConversationFilters } from "./filters";
import { listConversations, type Cursor } from "./queries";

/**
 * The CSV export: every conversation matching the filters, newest first, in keyset batches, each
 * read in its own short transaction (`inTenant`), so a large export holds no transaction or
 * connection open while the browser downloads.
 */
const batchSize = 500;
const header = ["conversation_id", "started_at", "agent", "channel", "status", "duration_seconds", "caller", "summary"];

type InTenant = <T>(fn: (tx: TenantTx) => Promise<T>) => Promise<T>;

/**
 * Before the first row leaves: checks the agent filter (another tenant's agent id is as unknown as a
 * made-up one) and records the export in the audit log, so an aborted download is still on record.
 */
export async function startExport(
  tx: TenantTx,
  actor: { tenantId: string; userId: string },
  filters: ConversationFilters,
): Promise<"started" | "unknown_agent"> {
  if (filters.agent && !(await agentOptions(tx, actor.tenantId)).some((a) => a.id === filters.agent)) {
    return "unknown_agent";
  }
  await recordAudit(tx, {
    tenantId: actor.tenantId,
    actorUserId: actor.userId,
    action: "conversations.exported",
    metadata: { filters },
  });
  return "started";
}

export function exportStream(inTenant: InTenant, tenantId: string, filters: ConversationFilters) {
  let cursor: Cursor | null = null;
  let headerSent = false;
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { rows, next } = await inTenant((tx) => listConversations(tx, tenantId, filters, cursor, batchSize));
        let chunk = headerSent ? "" : csvRow(header);
        headerSent = true;
        for (const r of rows) {
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
        }
        controller.enqueue(encoder.encode(chunk));
        const last = rows.at(-1);
        if (!next || !last) controller.close();
        else cursor = { startedAt: last.startedAt, id: last.id };
      } catch (error) {
        requestLogger({ tenantId }).error({ err: error }, "CSV export failed");
        controller.error(error);
      }
    },
  });
}
