import postgres from "postgres";
import { Writable } from "node:stream";
import { demoPassword, demoUsers } from "./demo-accounts";
import { demoTenants, generateTenantData, type TenantSpec } from "./demo-data";
import { progressBar } from "./progress";

/**
 * Deterministic demo data, loaded as the owner with COPY. The owner is a superuser or has BYPASSRLS
 * (it also creates the BYPASSRLS platform_admin role), so the tenant policies do not apply here.
 */
export interface SeedOptions {
  tenants: number;
  conversationsPerTenant: number;
  reset?: boolean;
  log?: (line: string) => void;
}

const copyEscape = (value: string) =>
  value.replace(/\\/g, "\\\\").replace(/\t/g, "\\t").replace(/\n/g, "\\n").replace(/\r/g, "\\r");
const copyLine = (values: (string | number)[]) => values.map((v) => copyEscape(String(v))).join("\t") + "\n";

async function copyInto(statement: postgres.PendingQuery<postgres.Row[]>, lines: Iterable<string>): Promise<void> {
  const stream: Writable = await statement.writable();
  for (const line of lines) {
    if (!stream.write(line)) await new Promise((resolve) => stream.once("drain", resolve));
  }
  await new Promise<void>((resolve, reject) => stream.end((err?: Error | null) => (err ? reject(err) : resolve())));
}

function tenantSpecs(count: number): TenantSpec[] {
  const specs = demoTenants.slice(0, count);
  for (let i = specs.length; i < count; i++) {
    const template = demoTenants[i % demoTenants.length]!;
    const number = String(i + 1).padStart(6, "0");
    specs.push({ slug: `bench-${number}`, name: `${template.name} ${number}`, vertical: template.vertical });
  }
  return specs;
}

export async function seedDatabase(ownerUrl: string, options: SeedOptions): Promise<void> {
  const log = options.log ?? console.log;
  const owner = postgres(ownerUrl, { max: 1, onnotice: () => undefined });
  try {
    const [state] = await owner<{ tenants: number }[]>`select count(*)::int as tenants from tenants`;
    if ((state?.tenants ?? 0) > 0) {
      if (!options.reset) {
        log(`The database already has ${state?.tenants} tenants; nothing seeded (use --reset to replace them).`);
        return;
      }
      // CASCADE: tables added later that reference tenants or users go too.
      await owner`truncate tenants, users, memberships, agents, conversations, conversation_turns, audit_events, api_keys, platform_audit_events cascade`;
    }
    const baseTimeMs = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate());
    const specs = tenantSpecs(options.tenants);
    const tenantIds = new Map<string, string>();
    const bar = progressBar("Seeding tenants", specs.length);

    const chunk = 20_000;
    for (const [index, spec] of specs.entries()) {
      const generate = (startIndex: number) =>
        generateTenantData({
          tenantIndex: index,
          vertical: spec.vertical,
          tenantName: spec.name,
          conversations: Math.min(chunk, options.conversationsPerTenant - startIndex),
          startIndex,
          baseTimeMs,
          seed: 1000 + index,
        });
      await owner.begin(async (tx) => {
        const [tenant] = await tx<
          { id: string }[]
        >`insert into tenants (slug, name) values (${spec.slug}, ${spec.name}) returning id`;
        const tenantId = tenant!.id;
        tenantIds.set(spec.slug, tenantId);
        for (let start = 0; start < options.conversationsPerTenant; start += chunk) {
          const data = generate(start);
          if (start === 0) {
            await copyInto(
              tx`copy agents (tenant_id, id, name, channel, vertical) from stdin`,
              data.agents.map((a) => copyLine([tenantId, a.id, a.name, a.channel, a.vertical])),
            );
          }
          await copyInto(
            tx`copy conversations (tenant_id, id, agent_id, channel, caller, status, started_at, duration_seconds, summary) from stdin`,
            data.conversations.map((c) =>
              copyLine([
                tenantId,
                c.id,
                c.agentId,
                c.channel,
                c.caller,
                c.status,
                c.startedAt.toISOString(),
                c.durationSeconds,
                c.summary,
              ]),
            ),
          );
          await copyInto(
            tx`copy conversation_turns (tenant_id, conversation_id, position, speaker, text, offset_ms) from stdin`,
            data.turns.map((t) => copyLine([tenantId, t.conversationId, t.position, t.speaker, t.text, t.offsetMs])),
          );
        }
      });
      bar.tick();
    }
    bar.done();

    const [hash] = await owner<{ hash: string }[]>`select app_private.hash_password(${demoPassword}) as hash`;
    for (const user of demoUsers) {
      const memberships = user.memberships.filter((m) => tenantIds.has(m.tenantSlug));
      if (memberships.length === 0) continue;
      const [row] = await owner<{ id: string }[]>`
        insert into users (email, name, password_hash) values (${user.email}, ${user.name}, ${hash!.hash}) returning id`;
      for (const m of memberships) {
        await owner`insert into memberships (tenant_id, user_id, role) values (${tenantIds.get(m.tenantSlug)!}, ${row!.id}, ${m.role})`;
      }
    }
    // One pending invitation per tenant, so every tenant table has rows in every tenant (the isolation
    // tests' controls need them). Its link is unknown (a random secret that is not kept).
    for (const [slug, tenantId] of tenantIds) {
      await owner`
        insert into invitations (tenant_id, email, role, token_hash, expires_at)
        values (${tenantId}, ${`new.hire@${slug}.test`}, 'member', encode(extensions.digest(extensions.gen_random_bytes(32), 'sha256'), 'hex'),
                now() + interval '7 days')`;
    }
    await owner`analyze`;
    log(
      `Seeded ${specs.length} tenants x ${options.conversationsPerTenant} conversations and ${demoUsers.length} demo users.`,
    );
  } finally {
    await owner.end();
  }
}
