import { and, asc, count, eq, sql } from "drizzle-orm";
import { agents, conversations } from "@/db/schema";
import { databaseError, sqlState, type TenantTx } from "@/db";
import { lineField } from "@/lib/validation";

/** Agents of the tenant in context; every query also names the tenant explicitly (belt and braces). */

export async function listAgents(tx: TenantTx, tenantId: string) {
  const counts = tx
    .select({ agentId: conversations.agentId, conversations: count().as("conversations") })
    .from(conversations)
    .where(eq(conversations.tenantId, tenantId))
    .groupBy(conversations.agentId)
    .as("counts");
  return tx
    .select({
      id: agents.id,
      name: agents.name,
      channel: agents.channel,
      vertical: agents.vertical,
      disabledAt: agents.disabledAt,
      createdAt: agents.createdAt,
      conversations: sql<number>`coalesce(${counts.conversations}, 0)::int`,
    })
    .from(agents)
    .leftJoin(counts, eq(counts.agentId, agents.id))
    .where(eq(agents.tenantId, tenantId))
    .orderBy(asc(agents.name));
}

/** For the filter menu. */
export function agentOptions(tx: TenantTx, tenantId: string) {
  return tx
    .select({ id: agents.id, name: agents.name, disabled: sql<boolean>`${agents.disabledAt} is not null` })
    .from(agents)
    .where(eq(agents.tenantId, tenantId))
    .orderBy(asc(agents.name));
}

export async function getAgent(tx: TenantTx, tenantId: string, id: string) {
  const [agent] = await tx
    .select({
      id: agents.id,
      name: agents.name,
      channel: agents.channel,
      vertical: agents.vertical,
      disabledAt: agents.disabledAt,
      createdAt: agents.createdAt,
    })
    .from(agents)
    .where(and(eq(agents.tenantId, tenantId), eq(agents.id, id)));
  if (!agent) return null;
  const [row] = await tx
    .select({ n: count() })
    .from(conversations)
    .where(and(eq(conversations.tenantId, tenantId), eq(conversations.agentId, id)));
  return { ...agent, conversations: row?.n ?? 0 };
}

export interface AgentInput {
  name: string;
  channel: (typeof agents.channel.enumValues)[number];
  vertical: string;
}

/** The agent's name as people type it: unique per tenant (the unique index is per tenant). */
export const agentName = lineField(2, 80, {
  min: "Give the agent a name of at least 2 characters.",
  max: "Keep the name under 80 characters.",
});
export const agentVertical = lineField(2, 60, {
  min: "Describe the line of business in at least 2 characters (e.g. healthcare).",
  max: "Keep the line of business under 60 characters.",
});

export const duplicateName = (name: string) => `An agent named "${name}" already exists.`;

/**
 * Runs a write under a savepoint, so a name taken in this tenant is an answer ("duplicate") and does
 * not abort the surrounding transaction. It says nothing about other tenants' names.
 */
async function unlessDuplicate<T>(tx: TenantTx, fn: (sp: TenantTx) => Promise<T>): Promise<T | "duplicate"> {
  try {
    return await tx.transaction(fn);
  } catch (error) {
    const info = databaseError(error);
    if (info?.code === sqlState.uniqueViolation && info.constraint === "agents_tenant_name_key") return "duplicate";
    throw error;
  }
}

export async function createAgent(
  tx: TenantTx,
  tenantId: string,
  input: AgentInput,
): Promise<{ ok: true; id: string } | { ok: false; message: string }> {
  const id = await unlessDuplicate(tx, async (sp) => {
    const [row] = await sp
      .insert(agents)
      .values({ tenantId, ...input })
      .returning({ id: agents.id });
    return row!.id;
  });
  return id === "duplicate" ? { ok: false, message: duplicateName(input.name) } : { ok: true, id };
}

/** found: false for no such agent in this tenant (another tenant's id looks exactly like a missing one). */
export async function renameAgent(
  tx: TenantTx,
  tenantId: string,
  id: string,
  name: string,
): Promise<{ ok: true } | { ok: false; found: boolean; message: string }> {
  const renamed = await unlessDuplicate(tx, async (sp) => {
    const rows = await sp
      .update(agents)
      .set({ name })
      .where(and(eq(agents.tenantId, tenantId), eq(agents.id, id)))
      .returning({ id: agents.id });
    return rows.length === 1;
  });
  if (renamed === "duplicate") return { ok: false, found: true, message: duplicateName(name) };
  return renamed ? { ok: true } : { ok: false, found: false, message: "No such agent." };
}

export async function setAgentDisabled(
  tx: TenantTx,
  tenantId: string,
  id: string,
  disabled: boolean,
): Promise<boolean> {
  const rows = await tx
    .update(agents)
    .set({ disabledAt: disabled ? sql`coalesce(${agents.disabledAt}, now())` : null })
    .where(and(eq(agents.tenantId, tenantId), eq(agents.id, id)))
    .returning({ id: agents.id });
  return rows.length === 1;
}
