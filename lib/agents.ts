import { and, asc, count, eq, sql } from "drizzle-orm";
import { agents, conversations } from "@/db/schema";
import { type TenantTx } from "@/db";

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

/** The name is taken in this tenant (the unique index is per tenant, so this says nothing about others). */
export class DuplicateAgentNameError extends Error {
  constructor(name: string) {
    super(`An agent named "${name}" already exists.`);
    this.name = "DuplicateAgentNameError";
  }
}

function isUniqueViolation(error: unknown, constraint: string): boolean {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    const pg = e as Error & { code?: string; constraint_name?: string };
    if (pg.code === "23505" && pg.constraint_name === constraint) return true;
  }
  return false;
}

// A savepoint, so a duplicate name does not abort the surrounding transaction.
async function mapDuplicate<T>(tx: TenantTx, name: string, fn: (tx: TenantTx) => Promise<T>): Promise<T> {
  try {
    return await tx.transaction(fn);
  } catch (error) {
    if (isUniqueViolation(error, "agents_tenant_name_key")) throw new DuplicateAgentNameError(name);
    throw error;
  }
}

export function createAgent(tx: TenantTx, tenantId: string, input: AgentInput): Promise<string> {
  return mapDuplicate(tx, input.name, async (sp) => {
    const [row] = await sp
      .insert(agents)
      .values({ tenantId, ...input })
      .returning({ id: agents.id });
    return row!.id;
  });
}

/** false: no such agent in this tenant (another tenant's id looks exactly like a missing one). */
export function renameAgent(tx: TenantTx, tenantId: string, id: string, name: string): Promise<boolean> {
  return mapDuplicate(tx, name, async (sp) => {
    const rows = await sp
      .update(agents)
      .set({ name })
      .where(and(eq(agents.tenantId, tenantId), eq(agents.id, id)))
      .returning({ id: agents.id });
    return rows.length === 1;
  });
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
