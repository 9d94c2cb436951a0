import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomBytes, randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import postgres from "postgres";
import { runRlsLint } from "@/db/rls-lint";
import { closePools, drizzleOn } from "@/db/client";
import { withTenant, type TenantTx } from "@/db/tenant";
import { dbEnv, roleDatabaseUrl } from "@/db/env";
import { adminSql, appSql, ownerSql, rejectsWith, tenantIdsBySlug, tenantTables, token } from "../support/db";

/**
 * The attack suite: SQL running as app_user inside tenant A's (acme's) withTenant, trying to read,
 * count or detect tenant B's (globex's) rows. Every attack asserts that nothing of B leaks, and is
 * paired with a control showing that the same move reaches B without the defence in question.
 * Where PostgreSQL itself leaks, the test shows the channel, what the schema does about it, and the
 * docs/isolation.md lists it under "Residual channels".
 */
const owner = ownerSql();
let acme = "";
let globex = "";
let initech = "";
let tables: string[] = [];
let globexAgent = { id: "", name: "" };
const scratch = `attack_scratch_${randomBytes(4).toString("hex")}`;
const at = (name: string) => owner`${owner(scratch)}.${owner(name)}`;

before(async () => {
  const ids = await tenantIdsBySlug();
  acme = ids["acme-health"]!;
  globex = ids["globex-realty"]!;
  initech = ids["initech-salons"]!;
  tables = await tenantTables();
  globexAgent = (
    await owner<
      { id: string; name: string }[]
    >`select id, name from agents where tenant_id = ${globex} order by name limit 1`
  )[0]!;
  await owner`create schema ${owner(scratch)}`;
  await owner`grant usage on schema ${owner(scratch)} to app_user`;
  // Fresh statistics, flushed to the cumulative statistics system, for the catalog attacks.
  await owner.begin(async (tx) => {
    await tx`analyze`;
    await tx`select pg_stat_force_next_flush()`;
  });
});
after(async () => {
  await owner`drop schema ${owner(scratch)} cascade`;
  await closePools();
  await owner.end();
});

/** As the attacker: app_user inside acme's withTenant. */
const asAcme = <T>(fn: (tx: TenantTx) => Promise<T>) => withTenant(acme, fn);
const rowsOf = <T extends Record<string, unknown>>(tx: TenantTx, query: ReturnType<typeof sql>) => tx.execute<T>(query);
const globexRowsInTruth = async () =>
  (await adminSql()<{ n: number }[]>`select count(*)::int as n from conversations where tenant_id = ${globex}`)[0]!.n;

class RolledBack extends Error {
  constructor(readonly value: unknown) {
    super("rolled back");
  }
}
/** Runs fn in an owner transaction that is always rolled back; returns fn's result. */
async function asOwnerRolledBack<T>(fn: (tx: postgres.TransactionSql) => Promise<T>): Promise<T> {
  try {
    await owner.begin(async (tx) => {
      throw new RolledBack(await fn(tx));
    });
  } catch (error) {
    if (error instanceof RolledBack) return error.value as T;
    throw error;
  }
  throw new Error("unreachable");
}
/** Same as the attacker, but rolled back: for attacks that would write if they succeeded. */
async function asAcmeRolledBack<T>(fn: (tx: TenantTx) => Promise<T>): Promise<T> {
  try {
    await asAcme(async (tx) => {
      throw new RolledBack(await fn(tx));
    });
  } catch (error) {
    if (error instanceof RolledBack) return error.value as T;
    throw error;
  }
  throw new Error("unreachable");
}

describe("the signed context: a token seen in B's session", () => {
  let globexToken = "";
  before(async () => {
    // What B's own code could read (and, say, log) inside its transaction.
    const [row] = await withTenant(globex, (tx) =>
      rowsOf<{ ctx: string }>(tx, sql`select current_setting('app.tenant_ctx') as ctx`),
    );
    globexToken = row!.ctx;
  });

  it("residual, while valid: set_config to B's captured token reads B's rows (a bearer credential for TENANT_CONTEXT_TTL_SECONDS)", async () => {
    const seen = await asAcme(async (tx) => {
      await tx.execute(sql`select set_config('app.tenant_ctx', ${globexToken}, true)`);
      return (
        await rowsOf<{ n: number }>(tx, sql`select count(*)::int as n from conversations where tenant_id = ${globex}`)
      )[0]!.n;
    });
    assert.equal(seen, await globexRowsInTruth(), "the token works for whoever holds it inside its window");
    assert.ok(dbEnv().TENANT_CONTEXT_TTL_SECONDS <= 5, "the test process runs with a short TENANT_CONTEXT_TTL_SECONDS");
  });

  it("after its window, B's token is refused through set_config, SET LOCAL and a session-level SET", async () => {
    await new Promise((r) => setTimeout(r, (dbEnv().TENANT_CONTEXT_TTL_SECONDS + 1.2) * 1000));
    const attempts = [
      sql`select set_config('app.tenant_ctx', current_setting('attack.token'), true)`,
      sql`do $$ begin execute format('set local app.tenant_ctx = %L', current_setting('attack.token')); end $$`,
      sql`do $$ begin execute format('set app.tenant_ctx = %L', current_setting('attack.token')); end $$`,
    ];
    for (const attempt of attempts) {
      await rejectsWith(
        asAcme(async (tx) => {
          await tx.execute(sql`select set_config('attack.token', ${globexToken}, true)`);
          await tx.execute(attempt);
          return tx.execute(sql`select count(*) from conversations where tenant_id = ${globex}`);
        }),
        /invalid tenant context: expired/,
      );
    }
    assert.ok((await globexRowsInTruth()) > 0, "control: B has rows the token would have read");
  });

  it("B's token never shows in what A can see of B's session: pg_stat_activity has the statement, not the bind parameter", async () => {
    const other = postgres(roleDatabaseUrl("app_user"), { max: 1, prepare: false, onnotice: () => undefined });
    let release: () => void = () => undefined;
    const held = new Promise<void>((r) => (release = r));
    let inside = "";
    let counted = false; // B's last statement has run: pg_stat_activity shows it while B's transaction is open
    const globexSession = drizzleOn(other).transaction(async (tx) => {
      await tx.execute(sql`select set_config('app.tenant_ctx', ${token({ tenantId: globex })}, true)`);
      inside = (await tx.execute<{ ctx: string }>(sql`select current_setting('app.tenant_ctx') as ctx`))[0]!.ctx;
      await tx.execute(sql`select count(*) from conversations where tenant_id = ${globex}`);
      counted = true;
      await held;
    });
    try {
      while (!counted) await new Promise((r) => setTimeout(r, 20));
      const activity = await asAcme((tx) =>
        rowsOf<{ query: string }>(
          tx,
          sql`select query from pg_stat_activity where usename = current_user and pid <> pg_backend_pid()`,
        ),
      );
      const texts = activity.map((a) => a.query).join("\n");
      assert.match(texts, /tenant_id = \$1/, "the channel exists: A sees the text of B's current statement");
      assert.ok(!texts.includes(inside), "B's token is not in it");
      assert.ok(!texts.includes(globex), "nor B's tenant id: values travel as bind parameters");
      assert.ok(inside.startsWith("v1.") && inside.includes(globex), "control: B's session does hold the token");
    } finally {
      release();
      await globexSession;
      await other.end();
    }
  });

  it("the signing key and the verifier are out of reach", async () => {
    for (const attempt of [
      sql`select key from app_private.context_key`,
      sql`select app_private.verified_context()`,
      sql`select pg_read_file('postgresql.conf')`,
      sql`select app_private.set_login_password('app_user', 'x')`,
    ]) {
      await rejectsWith(
        asAcme((tx) => tx.execute(attempt)),
        /permission denied/,
      );
    }
    const [control] = await owner<{ n: number }[]>`select length(key)::int as n from app_private.context_key`;
    assert.ok(control!.n >= 32, "control: the key is there, for the owner");
  });

  it("a token signed with a guessed key, or A's token edited to name B, is refused", async () => {
    const forged = token({ tenantId: globex }, { secret: "guessed-".repeat(8) });
    const edited = token({ tenantId: acme }).replace(acme, globex);
    for (const ctx of [forged, edited]) {
      await rejectsWith(
        asAcme(async (tx) => {
          await tx.execute(sql`select set_config('app.tenant_ctx', ${ctx}, true)`);
          return tx.execute(sql`select count(*) from conversations`);
        }),
        /invalid tenant context: bad signature/,
      );
    }
    assert.ok((await globexRowsInTruth()) > 0);
  });

  it("a context A leaves on the pooled connection at session level does not reach the next transaction", async () => {
    // DB_POOL_MAX=1: the victim's transaction runs on the very connection A poisoned.
    await asAcme((tx) => tx.execute(sql`select set_config('app.tenant_ctx', ${token({ tenantId: acme })}, false)`));
    try {
      const seen = await withTenant(globex, (tx) =>
        rowsOf<{ mine: number; foreign: number }>(
          tx,
          sql`select count(*) filter (where tenant_id = ${globex})::int as mine, count(*) filter (where tenant_id <> ${globex})::int as foreign from conversations`,
        ),
      );
      assert.equal(seen[0]!.foreign, 0, "B's transaction saw rows of A");
      assert.equal(seen[0]!.mine, await globexRowsInTruth());
      const [left] = await appSql()<{ ctx: string }[]>`select current_setting('app.tenant_ctx', true) as ctx`;
      assert.ok(
        left!.ctx.includes(acme),
        "control: A's session-level value is still on the connection, and did not matter",
      );
    } finally {
      await appSql()`select set_config('app.tenant_ctx', '', false)`;
    }
  });
});

describe("roles", () => {
  it("SET ROLE and SET SESSION AUTHORIZATION to a role that bypasses RLS are refused", async () => {
    for (const attempt of [
      sql`set role platform_admin`,
      sql`set local role platform_admin`,
      sql`set role postgres`,
      sql`set session authorization platform_admin`,
      sql`set session authorization postgres`,
    ]) {
      await rejectsWith(
        asAcme((tx) => tx.execute(attempt)),
        /permission denied to set (role|session authorization)/,
      );
    }
    const [control] = await adminSql()<
      { n: number }[]
    >`select count(*)::int as n from conversations where tenant_id = ${globex}`;
    assert.ok(control!.n > 0, "control: as platform_admin the same query reads B's rows");
  });

  it("RESET ROLE leaves app_user as app_user, still under the policy", async () => {
    const [seen] = await asAcme(async (tx) => {
      await tx.execute(sql`reset role`);
      await tx.execute(sql`reset session authorization`);
      return rowsOf<{ who: string; n: number }>(
        tx,
        sql`select current_user as who, count(*)::int as n from conversations where tenant_id = ${globex}`,
      );
    });
    assert.equal(seen!.who, "app_user");
    assert.equal(seen!.n, 0);
    assert.ok((await globexRowsInTruth()) > 0);
  });

  it("disabling or dropping the policy is refused: app_user owns nothing", async () => {
    for (const attempt of [
      sql`alter table conversations disable row level security`,
      sql`alter table conversations no force row level security`,
      sql`drop policy tenant_isolation on conversations`,
      sql`alter policy tenant_isolation on conversations using (true)`,
      sql`alter table conversations owner to app_user`,
    ]) {
      await rejectsWith(
        asAcme((tx) => tx.execute(attempt)),
        /must be owner/,
      );
    }
    // Control: had it been the owner, disabling RLS would have let app_user read B's rows.
    const leaked = await asOwnerRolledBack(async (tx) => {
      await tx`alter table conversations disable row level security`;
      await tx`set local role app_user`;
      await tx`select set_config('app.tenant_ctx', ${token({ tenantId: acme })}, true)`;
      return (await tx<{ n: number }[]>`select count(*)::int as n from conversations where tenant_id = ${globex}`)[0]!
        .n;
    });
    assert.ok(leaked > 0);
  });

  it("row_security = off makes the query fail instead of skipping the policy", async () => {
    await rejectsWith(
      asAcme(async (tx) => {
        await tx.execute(sql`set local row_security = off`);
        return tx.execute(sql`select count(*) from conversations`);
      }),
      /would be affected by row-level security policy/,
    );
    const [control] = await adminSql().begin(async (tx) => {
      await tx`set local row_security = off`;
      return tx<{ n: number }[]>`select count(*)::int as n from conversations where tenant_id = ${globex}`;
    });
    assert.ok(control!.n > 0, "control: a BYPASSRLS role reads everything with row_security off");
  });
});

describe("statement stacking: COMMIT; … through every API app code reaches", () => {
  const escape = (tail: string) =>
    `commit; select count(*)::int as n, current_setting('app.tenant_ctx', true) as ctx from conversations ${tail}`;

  it("tx.execute(sql`…`) without parameters: one statement per query, so COMMIT cannot end the transaction", async () => {
    await rejectsWith(
      asAcme((tx) => tx.execute(sql`commit; select count(*) from conversations`)),
      /cannot insert multiple commands into a prepared statement/,
    );
    // Control: the same text over the simple protocol does run both statements, and leaves the transaction.
    const results = await appSql().begin(async (tx) => {
      await tx`select set_config('app.tenant_ctx', ${token({ tenantId: acme })}, true)`;
      return tx.unsafe(escape(""));
    });
    const escaped = (results as unknown as { n: number; ctx: string }[][]).at(-1)![0]!;
    assert.equal(escaped.ctx, "", "control: the escaped statement ran outside the transaction, without context");
    assert.equal(escaped.n, 0, "and saw nothing: RLS fails closed there too");
  });

  it("tx.execute(sql`…`) with bind parameters", async () => {
    await rejectsWith(
      asAcme((tx) => tx.execute(sql`commit; select count(*) from conversations where tenant_id = ${globex}`)),
      /cannot insert multiple commands into a prepared statement/,
    );
  });

  it("tx.execute(sql.raw(…)): text built by hand, as an injection would arrive", async () => {
    for (const text of [
      escape(""),
      "rollback; select count(*) from conversations",
      "commit; set session app.tenant_ctx = 'x'; select 1",
    ]) {
      await rejectsWith(
        asAcme((tx) => tx.execute(sql.raw(text))),
        /cannot insert multiple commands into a prepared statement/,
      );
    }
  });

  it("postgres.js reached through drizzle's session (unsafe)", async () => {
    await rejectsWith(
      asAcme((tx) =>
        (tx as unknown as { session: { client: postgres.TransactionSql } }).session.client.unsafe(escape("")),
      ),
      /cannot insert multiple commands into a prepared statement/,
    );
  });

  it("residual: code that forces postgres.js's simple protocol can stack statements, and lands outside the transaction with no context", async () => {
    const client = (tx: TenantTx) => (tx as unknown as { session: { client: postgres.TransactionSql } }).session.client;
    for (const text of [
      escape(""),
      "rollback; select count(*)::int as n, '' as ctx from conversations",
      `commit; begin; ${escape("")}`,
    ]) {
      const results = (await asAcme((tx) => client(tx).unsafe(text).simple())) as unknown as {
        n: number;
        ctx: string;
      }[][];
      const last = results.at(-1)![0]!;
      assert.equal(last.n, 0, `${text}: saw rows`);
      assert.equal(last.ctx, "");
    }
    assert.ok((await globexRowsInTruth()) > 0);
  });

  it("named prepared statements: nothing on the app's pool to hijack (control: with them, A's SQL runs inside B's transaction)", async () => {
    const plant = async (tx: TenantTx) => {
      const statements = await rowsOf<{ name: string }>(
        tx,
        sql`select name from pg_prepared_statements where statement like 'savepoint%'`,
      );
      for (const { name } of statements) {
        await tx.execute(sql`deallocate ${sql.identifier(name)}`);
        await tx.execute(sql`prepare ${sql.identifier(name)} as
          select from (select set_config('attack.stash', coalesce((select string_agg(name, '|') from public.agents), ''), false)) s(v)
          where v = 'never'`);
      }
      return statements.length;
    };
    type Db = ReturnType<typeof drizzleOn>;
    // B's request: its context, and a nested transaction (a savepoint) inside.
    const victim = (db: Db) =>
      db.transaction(async (tx) => {
        await tx.execute(sql`select set_config('app.tenant_ctx', ${token({ tenantId: globex })}, true)`);
        await tx.transaction((nested) => nested.execute(sql`select count(*) from agents`));
      });
    // A's request: replace B's savepoint statement on the shared connection with one that stashes B's agents.
    const attack = (db: Db) =>
      db.transaction(async (tx) => {
        await tx.execute(sql`select set_config('app.tenant_ctx', ${token({ tenantId: acme })}, true)`);
        return plant(tx);
      });
    // A's next request on the same connection reads what the replaced statement left there.
    const stash = (db: Db) =>
      db.transaction(async (tx) => {
        await tx.execute(sql`select set_config('app.tenant_ctx', ${token({ tenantId: acme })}, true)`);
        return (
          (await tx.execute<{ stash: string | null }>(sql`select current_setting('attack.stash', true) as stash`))[0]!
            .stash ?? ""
        );
      });

    // Control: a pool that names its statements (postgres.js prepare: true), one connection.
    const named = postgres(roleDatabaseUrl("app_user"), { max: 1, prepare: true, onnotice: () => undefined });
    try {
      const db = drizzleOn(named);
      await victim(db);
      assert.ok((await attack(db)) > 0, "control: B's savepoint statement was on the connection, named");
      await victim(db);
      assert.ok((await stash(db)).includes(globexAgent.name), "control: B's agents were stashed for A to read");
    } finally {
      await named.end();
    }

    // The app's pool (one connection in tests) and withTenant: unnamed statements only.
    const globexRequest = () =>
      withTenant(globex, (tx) => tx.transaction((nested) => nested.execute(sql`select count(*) from agents`)));
    await globexRequest();
    const found = await asAcme((tx) => rowsOf<{ name: string }>(tx, sql`select name from pg_prepared_statements`));
    assert.equal(found.length, 0, "no statement of another transaction to replace");
    assert.equal(await asAcme(plant), 0);
    await globexRequest();
    assert.ok(!(await stash(drizzleOn(appSql()))).includes(globexAgent.name));
  });
});

describe("privileges that RLS does not govern", () => {
  it("TRUNCATE of any tenant table is refused (control: TRUNCATE ignores RLS and empties every tenant)", async () => {
    for (const table of tables) {
      await rejectsWith(
        asAcme((tx) => tx.execute(sql`truncate ${sql.identifier(table)}`)),
        /permission denied/,
      );
    }
    const left = await asOwnerRolledBack(async (tx) => {
      await tx`truncate agents, conversations, conversation_turns, ingest_idempotency_keys`;
      return (await tx<{ n: number }[]>`select count(*)::int as n from conversations where tenant_id = ${globex}`)[0]!
        .n;
    });
    assert.equal(left, 0);
    assert.ok((await globexRowsInTruth()) > 0);
  });

  it("COPY … TO STDOUT returns only A's rows (control: the owner's COPY returns every tenant's)", async () => {
    // A small table: postgres.js 3.4 leaves its socket paused after a COPY larger than a stream buffer.
    const copied = async (pool: postgres.Sql, ctx: string | null) =>
      pool.begin(async (tx) => {
        if (ctx) await tx`select set_config('app.tenant_ctx', ${ctx}, true)`;
        const stream = await tx`copy agents (tenant_id) to stdout`.readable();
        let text = "";
        for await (const chunk of stream) text += String(chunk);
        return text.trim().split("\n");
      });
    const lines = await copied(appSql(), token({ tenantId: acme }));
    assert.ok(lines.length > 0 && lines.every((l) => l === acme));
    assert.ok((await copied(owner, null)).includes(globex));
  });

  it("COPY … TO a file or a program is refused", async () => {
    for (const attempt of [
      sql`copy conversations to '/tmp/leak.csv'`,
      sql`copy conversations to program 'cat'`,
      sql`copy (select 1) to program 'true'`,
    ]) {
      await rejectsWith(
        asAcme((tx) => tx.execute(attempt)),
        /permission denied to COPY/,
      );
    }
    await owner`copy (select tenant_id from conversations) to program 'cat > /dev/null'`;
  });

  it("COPY … FROM STDIN (a row for B) is refused under RLS (control: the owner's COPY loads it)", async () => {
    await rejectsWith(
      appSql().begin(async (tx) => {
        await tx`select set_config('app.tenant_ctx', ${token({ tenantId: acme })}, true)`;
        return tx`copy agents (tenant_id, id, name, channel, vertical) from stdin`;
      }),
      /COPY FROM not supported with row-level security/,
    );
    const loaded = await asOwnerRolledBack(async (tx) => {
      const stream = await tx`copy agents (tenant_id, id, name, channel, vertical) from stdin`.writable();
      await new Promise<void>((resolve, reject) =>
        stream.end(`${globex}\t${randomUUID()}\tPlanted\tvoice\tx\n`, () => resolve()).on("error", reject),
      );
      return (await tx<{ n: number }[]>`select count(*)::int as n from agents where name = 'Planted'`)[0]!.n;
    });
    assert.equal(loaded, 1);
  });

  it("CREATE VIEW anywhere is refused (control: an owner's view without security_invoker shows B's rows to app_user)", async () => {
    for (const attempt of [
      sql`create view public.leak as select * from conversations`,
      sql`create view app.leak as select * from conversations`,
      sql`create view ${sql.identifier(scratch)}.leak as select * from conversations`,
      sql`create temp view leak as select * from conversations`,
      sql`create materialized view public.leak as select * from conversations`,
      sql`create table public.leak as select * from conversations`,
      sql`create schema leak`,
    ]) {
      await rejectsWith(
        asAcme((tx) => tx.execute(attempt)),
        /permission denied/,
      );
    }
    await owner`create view ${at("everyone")} as select tenant_id from public.conversations`;
    await owner`grant select on ${at("everyone")} to app_user`;
    try {
      const seen = await asAcme((tx) =>
        rowsOf<{ n: number }>(
          tx,
          sql`select count(*)::int as n from ${sql.identifier(scratch)}.everyone where tenant_id = ${globex}`,
        ),
      );
      assert.ok(seen[0]!.n > 0, "control: the owner's view reads B's rows for app_user");
      const { findings } = await runRlsLint(owner);
      assert.ok(
        findings.some((f) => f.rule === "view-without-security-invoker" && f.object === `view ${scratch}.everyone`),
        "and the RLS lint names it",
      );
    } finally {
      await owner`drop view ${at("everyone")}`;
    }
  });

  it("CREATE FUNCTION (SECURITY DEFINER or not) is refused (control: an owner's definer function granted to app_user reads B's rows)", async () => {
    for (const attempt of [
      sql`create function public.peek(t uuid) returns bigint language sql security definer as 'select count(*) from public.conversations where tenant_id = t'`,
      sql`create function app.peek(t uuid) returns bigint language sql security definer set search_path = pg_catalog as 'select 1::bigint'`,
      sql`create function pg_temp.peek() returns int language sql as 'select 1'`,
      sql`create or replace function app.current_tenant_id() returns uuid language sql as 'select null::uuid'`,
    ]) {
      await rejectsWith(
        asAcme((tx) => tx.execute(attempt)),
        /permission denied|must be owner/,
      );
    }
    await owner`create function ${at("peek")}(t uuid) returns bigint language sql security definer set search_path = pg_catalog
                as 'select count(*) from public.conversations where tenant_id = t'`;
    try {
      const seen = await asAcme((tx) =>
        rowsOf<{ n: number }>(tx, sql`select ${sql.identifier(scratch)}.peek(${globex})::int as n`),
      );
      assert.equal(
        seen[0]!.n,
        await globexRowsInTruth(),
        "control: a definer function app_user may execute bypasses RLS",
      );
    } finally {
      await owner`drop function ${at("peek")}(uuid)`;
    }
  });

  it("a DO block runs as app_user: still under the policy", async () => {
    const [seen] = await asAcme(async (tx) => {
      await tx.execute(sql`select set_config('attack.target', ${globex}, true)`);
      await tx.execute(sql`do $$ begin
        perform set_config('attack.count', (select count(*) from public.conversations where tenant_id = current_setting('attack.target')::uuid)::text, true);
      end $$`);
      return rowsOf<{ n: string }>(tx, sql`select current_setting('attack.count') as n`);
    });
    assert.equal(seen!.n, "0");
    assert.ok((await globexRowsInTruth()) > 0);
  });
});

describe("key probes: does B have a row with this id or this name?", () => {
  it("unique keys include tenant_id: B's agent id and name are free in A's tenant (control: a key on id alone collides)", async () => {
    const inserted = await asAcmeRolledBack((tx) =>
      rowsOf<{ id: string }>(
        tx,
        sql`insert into agents (tenant_id, id, name, channel, vertical) values (${acme}, ${globexAgent.id}, ${globexAgent.name}, 'voice', 'probe') returning id`,
      ),
    );
    assert.equal(inserted[0]!.id, globexAgent.id, "no collision, so no answer");

    await owner`create table ${at("tickets")} (id uuid primary key, tenant_id uuid not null, title text not null)`;
    await owner`alter table ${at("tickets")} enable row level security`;
    await owner`alter table ${at("tickets")} force row level security`;
    await owner`create policy tenant_isolation on ${at("tickets")} using (tenant_id = (select app.current_tenant_id())) with check (tenant_id = (select app.current_tenant_id()))`;
    await owner`grant select, insert on ${at("tickets")} to app_user`;
    const globexTicket = randomUUID();
    await owner`insert into ${at("tickets")} values (${globexTicket}, ${globex}, 'secret')`;
    const probe = (id: string) =>
      asAcmeRolledBack((tx) =>
        tx.execute(sql`insert into ${sql.identifier(scratch)}.tickets values (${id}, ${acme}, 'probe')`),
      );
    await rejectsWith(probe(globexTicket), /duplicate key value violates unique constraint/);
    await probe(randomUUID());
  });

  it("a write naming B's tenant is refused before any key is checked: the same error whether B's id exists or not", async () => {
    const attempt = (id: string) =>
      asAcmeRolledBack((tx) =>
        tx.execute(
          sql`insert into agents (tenant_id, id, name, channel, vertical) values (${globex}, ${id}, ${globexAgent.name}, 'voice', 'x')`,
        ),
      );
    const messages: string[] = [];
    for (const id of [globexAgent.id, randomUUID()]) {
      try {
        await attempt(id);
      } catch (error) {
        for (let e: unknown = error; e instanceof Error; e = e.cause)
          if (!e.message.startsWith("Failed query")) messages.push(e.message);
      }
    }
    assert.equal(messages.length, 2);
    assert.equal(messages[0], messages[1]);
    assert.match(messages[0]!, /row-level security/);
  });

  it("foreign keys include tenant_id: pointing at B's agent fails exactly like pointing at no agent (control: a key on id alone answers)", async () => {
    const point = (agentId: string) =>
      asAcmeRolledBack((tx) =>
        tx.execute(sql`insert into conversations (tenant_id, agent_id, channel, caller, status, started_at, duration_seconds, summary)
                       values (${acme}, ${agentId}, 'voice', 'probe', 'completed', now(), 1, 'probe')`),
      );
    const messages: string[] = [];
    for (const id of [globexAgent.id, randomUUID()]) {
      try {
        await point(id);
      } catch (error) {
        const pg = (error as Error).cause as postgres.PostgresError;
        messages.push(`${pg.message} ${pg.detail?.replace(/\(.*\)=\(.*\)/, "") ?? ""}`);
      }
    }
    assert.equal(messages.length, 2);
    assert.equal(messages[0], messages[1]);
    const [references] = await owner<
      { ok: boolean }[]
    >`select has_table_privilege('app_user', 'public.agents', 'REFERENCES') as ok`;
    assert.equal(references!.ok, false, "and app_user may not declare foreign keys of its own to agents");

    await owner`create table ${at("directory")} (id uuid primary key, tenant_id uuid not null)`;
    await owner`create table ${at("calls")} (tenant_id uuid not null, entry uuid not null references ${at("directory")} (id))`;
    for (const t of ["directory", "calls"]) {
      await owner`alter table ${at(t)} enable row level security`;
      await owner`alter table ${at(t)} force row level security`;
      await owner`create policy tenant_isolation on ${at(t)} using (tenant_id = (select app.current_tenant_id())) with check (tenant_id = (select app.current_tenant_id()))`;
      await owner`grant select, insert on ${at(t)} to app_user`;
    }
    const globexEntry = randomUUID();
    await owner`insert into ${at("directory")} values (${globexEntry}, ${globex})`;
    const call = (id: string) =>
      asAcmeRolledBack((tx) => tx.execute(sql`insert into ${sql.identifier(scratch)}.calls values (${acme}, ${id})`));
    await call(globexEntry); // control: accepted, so B's entry exists (and A now points into B)
    await rejectsWith(call(randomUUID()), /violates foreign key constraint/);
  });

  it("a predicate that fails on B's rows never runs on them: the policy filters first (control: as the owner it raises)", async () => {
    const probe = sql`select count(*)::int as n from conversations where tenant_id = ${globex} and 1 / (duration_seconds - duration_seconds) = 1`;
    const [seen] = await asAcme((tx) => rowsOf<{ n: number }>(tx, probe));
    assert.equal(seen!.n, 0);
    await rejectsWith(
      owner`select count(*) from conversations where tenant_id = ${globex} and 1 / (duration_seconds - duration_seconds) = 1`,
      /division by zero/,
    );
  });

  it("residual: a membership insert's foreign key tells whether a user id exists; A sees no id it could probe", async () => {
    const [bob] = await owner<{ id: string }[]>`
      select u.id from users u where not exists (select from memberships m where m.user_id = u.id and m.tenant_id = ${acme}) order by u.email limit 1`;
    const visible = await asAcme((tx) =>
      rowsOf<{ id: string }>(
        tx,
        sql`select id from users union select user_id from memberships union select actor_user_id from audit_events where actor_user_id is not null`,
      ),
    );
    assert.ok(!visible.some((v) => v.id === bob!.id), "A cannot learn the id of a user outside its tenant");
    const add = (userId: string) =>
      asAcmeRolledBack((tx) =>
        rowsOf<{ user_id: string }>(
          tx,
          sql`insert into memberships (tenant_id, user_id, role) values (${acme}, ${userId}, 'viewer') returning user_id`,
        ),
      );
    await rejectsWith(add(randomUUID()), /violates foreign key constraint "memberships_user_id_users_id_fk"/);
    assert.equal(
      (await add(bob!.id))[0]!.user_id,
      bob!.id,
      "residual: with the id in hand (from elsewhere), the insert succeeds",
    );
  });
});

describe("statistics and catalogs", () => {
  it("EXPLAIN ANALYZE counts only A's rows (control: the owner's counts every tenant's)", async () => {
    const actualRows = (plan: unknown) => (plan as { Plan: { "Actual Rows": number } }[])[0]!.Plan["Actual Rows"];
    const [mine] = await asAcme((tx) =>
      rowsOf<{ "QUERY PLAN": unknown }>(tx, sql`explain (analyze, format json) select * from conversations`),
    );
    const [all] = await owner<{ "QUERY PLAN": unknown }[]>`explain (analyze, format json) select * from conversations`;
    const [truth] = await owner<{ own: number; total: number }[]>`
      select count(*) filter (where tenant_id = ${acme})::int as own, count(*)::int as total from conversations`;
    assert.equal(actualRows(mine!["QUERY PLAN"]), truth!.own);
    assert.equal(actualRows(all!["QUERY PLAN"]), truth!.total);
  });

  it("residual: EXPLAIN's estimate for B's tenant id follows B's size; a statistics target of 0 on tenant_id removes that", async () => {
    // Skewed tenants in a scratch table, so that an estimate that follows the statistics shows.
    for (const [name, target] of [
      ["with_stats", -1],
      ["without_stats", 0],
    ] as const) {
      await owner`create table ${at(name)} (tenant_id uuid not null, n int not null, primary key (tenant_id, n))`;
      await owner`alter table ${at(name)} alter column tenant_id set statistics ${owner.unsafe(String(target))}`;
      await owner`alter table ${at(name)} enable row level security`;
      await owner`alter table ${at(name)} force row level security`;
      await owner`create policy tenant_isolation on ${at(name)} using (tenant_id = (select app.current_tenant_id()))`;
      await owner`grant select on ${at(name)} to app_user`;
      await owner`insert into ${at(name)} select ${acme}::uuid, g from generate_series(1, 50) g`;
      await owner`insert into ${at(name)} select ${globex}::uuid, g from generate_series(1, 5000) g`;
      await owner`insert into ${at(name)} select ${initech}::uuid, g from generate_series(1, 200) g`;
      await owner`analyze ${at(name)}`;
    }
    const estimate = async (table: string, tenant: string) => {
      const [row] = await asAcme((tx) =>
        rowsOf<{ "QUERY PLAN": unknown }>(
          tx,
          sql`explain (format json) select * from ${sql.identifier(scratch)}.${sql.identifier(table)} where tenant_id = ${tenant}`,
        ),
      );
      return (row!["QUERY PLAN"] as { Plan: { "Plan Rows": number } }[])[0]!.Plan["Plan Rows"];
    };
    const [seen] = await asAcme((tx) =>
      rowsOf<{ n: number }>(
        tx,
        sql`select count(*)::int as n from ${sql.identifier(scratch)}.with_stats where tenant_id = ${globex}`,
      ),
    );
    assert.equal(seen!.n, 0, "no row of B is readable");
    // The channel: with B's tenant id in hand, the estimate tracks B's row count (5000 vs 200).
    assert.ok((await estimate("with_stats", globex)) > 10 * (await estimate("with_stats", initech)));
    // What shrinks it: no statistics on tenant_id, so every tenant gets the same estimate.
    assert.equal(await estimate("without_stats", globex), await estimate("without_stats", initech));
  });

  it("pg_stats hides the statistics of tenant tables from app_user; pg_statistic is refused (control: the owner sees them)", async () => {
    const [seen] = await asAcme((tx) =>
      rowsOf<{ n: number }>(
        tx,
        sql`select count(*)::int as n from pg_stats where schemaname = 'public' and tablename in ${tables}`,
      ),
    );
    assert.equal(seen!.n, 0);
    await rejectsWith(
      asAcme((tx) => tx.execute(sql`select * from pg_statistic limit 1`)),
      /permission denied/,
    );
    const [control] = await owner<{ n: number; mcv: number }[]>`
      select count(*)::int as n, count(*) filter (where attname = 'tenant_id' and most_common_vals is not null)::int as mcv
      from pg_stats where schemaname = 'public' and tablename = any(${tables})`;
    assert.ok(
      control!.n > 0 && control!.mcv > 0,
      "control: the statistics exist, tenant ids among the most common values",
    );
  });

  it("residual: pg_class.reltuples, pg_relation_size and pg_stat_user_tables show a table's total size, all tenants together", async () => {
    const [seen] = await asAcme((tx) =>
      rowsOf<{ reltuples: number; bytes: string; live: number }>(
        tx,
        sql`select c.reltuples::int as reltuples, pg_relation_size(c.oid)::text as bytes,
                   (select s.n_live_tup::int from pg_stat_user_tables s where s.relid = c.oid) as live
            from pg_class c where c.oid = 'public.conversations'::regclass`,
      ),
    );
    const [truth] = await owner<
      { total: number; own: number }[]
    >`select count(*)::int as total, count(*) filter (where tenant_id = ${acme})::int as own from conversations`;
    assert.equal(seen!.reltuples, truth!.total, "the total, not A's share, is visible (as of the last ANALYZE)");
    assert.ok(Number(seen!.bytes) > 0);
    assert.ok(seen!.live > truth!.own, "n_live_tup counts other tenants' rows too");
    assert.ok(truth!.total > truth!.own, "so A can tell that other tenants hold rows, not which or whose");
  });

  it("residual: a global identity sequence (audit_events.id) shows how many rows other tenants inserted in between", async () => {
    const insertOne = (tenant: string) =>
      withTenant(tenant, async (tx) => {
        const [row] = await rowsOf<{ id: string }>(
          tx,
          sql`insert into audit_events (tenant_id, action) values (${tenant}, 'attack.probe') returning id::text`,
        );
        return Number(row!.id);
      });
    const first = await insertOne(acme);
    for (let i = 0; i < 3; i++) await insertOne(globex);
    const second = await insertOne(acme);
    await owner`delete from audit_events where action = 'attack.probe'`;
    assert.equal(second - first, 4, "A can count B's inserts from the gap");
    await rejectsWith(
      asAcme((tx) => tx.execute(sql`select last_value from audit_events_id_seq`)),
      /permission denied/,
    );
  });
});
