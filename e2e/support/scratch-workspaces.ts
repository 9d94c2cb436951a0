import { randomUUID } from "node:crypto";
import { ownerConnection } from "./database";
import { demoPassword } from "./demo-users";

/**
 * Scratch workspaces for the data suites (search, export, agents, overview, cross-tenant-data):
 * a tenant of its own with one user in a chosen role, created through the owner connection and
 * removed afterwards, so tests that write or change roles never touch the demo tenants. The user
 * (`email`, the demo password) is new in each test: it signs in through the UI (signInThroughUi).
 */
export type Role = "owner" | "admin" | "member" | "viewer";

export interface ScratchConversation {
  agent: number;
  caller: string;
  summary: string;
  status?: "completed" | "escalated" | "abandoned" | "failed";
  channel?: "voice" | "chat";
  startedAt?: Date;
  turns?: string[];
}

export interface Workspace {
  tenantId: string;
  slug: string;
  name: string;
  userId: string;
  email: string;
  agentIds: string[];
  setRole(role: Role): Promise<void>;
  /** Inserts `count` generated conversations for agent 0 ("Generated conversation n about billing"). */
  generate(count: number): Promise<void>;
  remove(): Promise<void>;
}

export async function createWorkspace(
  options: { role?: Role; agents?: string[]; conversations?: ScratchConversation[] } = {},
): Promise<Workspace> {
  const owner = ownerConnection();
  const suffix = randomUUID().slice(0, 8);
  const slug = `e2e-${suffix}`;
  const name = `Scratch ${suffix}`;
  const email = `e2e-${suffix}@scratch.test`;
  const [tenant] = await owner<
    { id: string }[]
  >`insert into tenants (slug, name) values (${slug}, ${name}) returning id`;
  const tenantId = tenant!.id;
  const [user] = await owner<{ id: string }[]>`
    insert into users (email, name, password_hash) values (${email}, ${`Tester ${suffix}`}, app_private.hash_password(${demoPassword})) returning id`;
  const userId = user!.id;
  await owner`insert into memberships (tenant_id, user_id, role) values (${tenantId}, ${userId}, ${options.role ?? "owner"})`;
  const agentIds: string[] = [];
  for (const agentName of options.agents ?? []) {
    const [agent] = await owner<
      { id: string }[]
    >`insert into agents (tenant_id, name, channel, vertical) values (${tenantId}, ${agentName}, 'voice', 'testing') returning id`;
    agentIds.push(agent!.id);
  }
  for (const [i, c] of (options.conversations ?? []).entries()) {
    const startedAt = c.startedAt ?? new Date(Date.now() - (i + 1) * 60_000);
    const [row] = await owner<{ id: string }[]>`
      insert into conversations (tenant_id, agent_id, channel, caller, status, started_at, duration_seconds, summary)
      values (${tenantId}, ${agentIds[c.agent]!}, ${c.channel ?? "voice"}, ${c.caller}, ${c.status ?? "completed"}, ${startedAt}, 60, ${c.summary})
      returning id`;
    for (const [position, text] of (c.turns ?? []).entries()) {
      await owner`insert into conversation_turns (tenant_id, conversation_id, position, speaker, text, offset_ms)
                  values (${tenantId}, ${row!.id}, ${position + 1}, ${position % 2 ? "caller" : "agent"}, ${text}, ${position * 1000})`;
    }
  }
  return {
    tenantId,
    slug,
    name,
    userId,
    email,
    agentIds,
    async setRole(role) {
      await owner`update memberships set role = ${role} where tenant_id = ${tenantId} and user_id = ${userId}`;
    },
    async generate(count) {
      await owner`
        insert into conversations (tenant_id, agent_id, channel, caller, status, started_at, duration_seconds, summary)
        select ${tenantId}, ${agentIds[0]!}, 'chat', 'caller ' || i, 'completed', now() - make_interval(secs => i * 37), 30 + i % 300,
               'Generated conversation ' || i || ' about billing'
        from generate_series(1, ${count}::int) i`;
    },
    async remove() {
      try {
        await owner`delete from conversations where tenant_id = ${tenantId}`;
        await owner`delete from tenants where id = ${tenantId}`;
        await owner`delete from users where id = ${userId}`;
      } finally {
        await owner.end();
      }
    },
  };
}
