import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import type postgres from "postgres";
import { rules, runRlsLint, type RlsLintOptions, type Finding } from "@/db/rls-lint";
import { closePools } from "@/db/client";
import { rlsLintSettings } from "@/db/rls-lint/settings";
import { ownerSql } from "../support/db";

/**
 * The RLS lint can fail: for every rule, a scratch schema (or scratch role) holds the broken object,
 * and the lint must name it. The findings of a scratch object are compared in full where they can
 * be (so a rule that fires where it should not is caught too). The real schema passes with none.
 */
const owner = ownerSql();
after(async () => {
  await closePools();
  await owner.end();
});

const suffix = () => randomBytes(4).toString("hex");
type Key = [rule: string, object: string];
const keys = (findings: Finding[]): Key[] => findings.map((f) => [f.rule, f.object]);
const sorted = (list: Key[]) => [...list].sort((a, b) => a.join(" ").localeCompare(b.join(" ")));

interface Scratch {
  schema: string;
  /** schema.name as an identifier, for DDL. */
  at(name: string): postgres.PendingQuery<postgres.Row[]>;
  /** A role that exists only for this test (dropped afterwards). */
  role(attributes?: "superuser" | "bypassrls"): Promise<string>;
}

/** Builds broken objects in a fresh schema, lints the whole database, then drops everything. */
async function lintScratch(
  build: (s: Scratch) => Promise<void>,
  options: (s: Scratch) => RlsLintOptions = () => ({}),
): Promise<{ findings: Finding[]; s: Scratch }> {
  const schema = `lint_scratch_${suffix()}`;
  const roles: string[] = [];
  const s: Scratch = {
    schema,
    at: (name) => owner`${owner(schema)}.${owner(name)}`,
    role: async (attributes) => {
      const name = `lint_scratch_role_${suffix()}`;
      if (attributes === "superuser") await owner`create role ${owner(name)} nologin superuser`;
      else if (attributes === "bypassrls") await owner`create role ${owner(name)} nologin bypassrls`;
      else await owner`create role ${owner(name)} nologin`;
      roles.push(name);
      return name;
    },
  };
  await owner`create schema ${owner(schema)}`;
  try {
    await build(s);
    const { findings } = await runRlsLint(owner, options(s));
    return { findings, s };
  } finally {
    await owner`drop schema ${owner(schema)} cascade`;
    for (const role of roles) {
      await owner`drop owned by ${owner(role)}`;
      await owner`drop role ${owner(role)}`;
    }
  }
}

/** A tenant table as the design wants it: RLS enabled and forced, one policy, keys through tenant_id. */
async function tenantTable(s: Scratch, name = "items") {
  const t = s.at(name);
  await owner`create table ${t} (
    tenant_id uuid not null references public.tenants (id), id uuid not null default gen_random_uuid(), name text not null,
    primary key (tenant_id, id))`;
  await owner`alter table ${t} enable row level security`;
  await owner`alter table ${t} force row level security`;
  await owner`create policy tenant_isolation on ${t} using (tenant_id = (select app.current_tenant_id())) with check (tenant_id = (select app.current_tenant_id()))`;
}

async function replacePolicy(s: Scratch, create: (t: postgres.PendingQuery<postgres.Row[]>) => Promise<unknown>) {
  await tenantTable(s);
  await owner`drop policy tenant_isolation on ${s.at("items")}`;
  await create(s.at("items"));
}

const tested = new Set<string>();
/** Registers a test for a rule; the last test checks that every rule has one. */
function ruleTest(rule: string, name: string, fn: () => Promise<void>) {
  tested.add(rule);
  it(`${rule}: ${name}`, fn);
}

describe("the RLS lint on the real schema", () => {
  it("finds nothing on the migrated, seeded database", async () => {
    const { findings, catalog } = await runRlsLint(owner);
    assert.deepEqual(findings, []);
    // It did look: the tenant tables, their policies and the definer functions are in its snapshot.
    assert.deepEqual(catalog.tenantTables.map((t) => t.qualified).sort(), [
      "public.agents",
      "public.api_keys",
      "public.audit_events",
      "public.conversation_turns",
      "public.conversations",
      "public.ingest_idempotency_keys",
      "public.invitations",
      "public.memberships",
    ]);
    assert.ok(catalog.policies.length >= 10);
    assert.ok(catalog.definerFunctions.some((f) => f.signature === "app.authenticate(text, text)"));
  });

  it("npm run db:lint prints 0 findings and exits 0", async () => {
    const { code, stdout } = await cli([]);
    assert.equal(code, 0, stdout);
    assert.match(stdout, /^0 findings$/m);
  });
});

function cli(args: string[]): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    execFile("node", ["--import", "tsx", "scripts/db-lint.ts", ...args], { env: process.env }, (error, stdout) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout });
    });
  });
}

describe("row level security on tenant tables", () => {
  ruleTest("rls-not-enabled", "a tenant table with RLS disabled", async () => {
    const { findings, s } = await lintScratch(async (s) => {
      await tenantTable(s);
      await owner`alter table ${s.at("items")} disable row level security`;
    });
    assert.deepEqual(keys(findings), [["rls-not-enabled", `table ${s.schema}.items`]]);
  });

  ruleTest("rls-not-enabled", "a table that is a tenant table only by its foreign key to tenants", async () => {
    const { findings, s } = await lintScratch(async (s) => {
      await owner`create table ${s.at("settings")} (org uuid primary key references public.tenants (id), theme text)`;
    });
    assert.deepEqual(sorted(keys(findings)), [
      ["rls-no-policy", `table ${s.schema}.settings`],
      ["rls-not-enabled", `table ${s.schema}.settings`],
      ["rls-not-forced", `table ${s.schema}.settings`],
    ]);
  });

  ruleTest("rls-not-forced", "a tenant table without FORCE", async () => {
    const { findings, s } = await lintScratch(async (s) => {
      await tenantTable(s);
      await owner`alter table ${s.at("items")} no force row level security`;
    });
    assert.deepEqual(keys(findings), [["rls-not-forced", `table ${s.schema}.items`]]);
  });

  ruleTest("rls-no-policy", "RLS enabled and forced, but no policy", async () => {
    const { findings, s } = await lintScratch(async (s) => {
      await tenantTable(s);
      await owner`drop policy tenant_isolation on ${s.at("items")}`;
    });
    assert.deepEqual(keys(findings), [["rls-no-policy", `table ${s.schema}.items`]]);
  });

  ruleTest("policy-missing-using", "an ALL policy with only WITH CHECK", async () => {
    const { findings, s } = await lintScratch((s) =>
      replacePolicy(
        s,
        (t) => owner`create policy writes on ${t} for all with check (tenant_id = (select app.current_tenant_id()))`,
      ),
    );
    assert.deepEqual(keys(findings), [["policy-missing-using", `policy writes on ${s.schema}.items`]]);
  });

  ruleTest(
    "policy-missing-with-check",
    "an ALL policy with only USING (PostgreSQL would reuse it silently)",
    async () => {
      const { findings, s } = await lintScratch((s) =>
        replacePolicy(
          s,
          (t) => owner`create policy reads on ${t} for all using (tenant_id = (select app.current_tenant_id()))`,
        ),
      );
      assert.deepEqual(keys(findings), [["policy-missing-with-check", `policy reads on ${s.schema}.items`]]);
    },
  );

  ruleTest("policy-missing-with-check", "an INSERT policy without WITH CHECK", async () => {
    const { findings, s } = await lintScratch(async (s) => {
      await tenantTable(s);
      await owner`alter policy tenant_isolation on ${s.at("items")} rename to reads`;
      await owner`create policy adds on ${s.at("items")} as restrictive for insert`;
    });
    assert.deepEqual(keys(findings), [["policy-missing-with-check", `policy adds on ${s.schema}.items`]]);
  });
});

describe("policy expressions", () => {
  ruleTest("policy-context-not-wrapped", "the context function called bare, per row", async () => {
    const { findings, s } = await lintScratch((s) =>
      replacePolicy(
        s,
        (t) =>
          owner`create policy bare on ${t} using (tenant_id = app.current_tenant_id()) with check (tenant_id = app.current_tenant_id())`,
      ),
    );
    const policy = `policy bare on ${s.schema}.items`;
    assert.deepEqual(keys(findings), [
      ["policy-context-not-wrapped", policy],
      ["policy-context-not-wrapped", policy],
    ]);
    assert.match(findings[0]!.message, /USING calls app\.current_tenant_id\(\)/);
    assert.match(findings[1]!.message, /WITH CHECK calls app\.current_tenant_id\(\)/);
  });

  ruleTest(
    "policy-context-not-wrapped",
    "current_setting() bare, and a wrapped call inside a sub-select that scans a table",
    async () => {
      const { findings, s } = await lintScratch(async (s) => {
        await replacePolicy(
          s,
          (t) =>
            owner`create policy by_setting on ${t} using (tenant_id = current_setting('app.tenant_id')::uuid) with check (tenant_id = (select current_setting('app.tenant_id')::uuid))`,
        );
        await tenantTable(s, "notes");
        await owner`drop policy tenant_isolation on ${s.at("notes")}`;
        await owner`create policy per_membership_row on ${s.at("notes")}
                  using (tenant_id in (select m.tenant_id from public.memberships m where m.user_id = app.current_user_id()))
                  with check (tenant_id in (select m.tenant_id from public.memberships m where m.user_id = (select app.current_user_id())))`;
      });
      assert.deepEqual(sorted(keys(findings)), [
        ["policy-context-not-wrapped", `policy by_setting on ${s.schema}.items`],
        ["policy-context-not-wrapped", `policy per_membership_row on ${s.schema}.notes`],
        // A setting is not the verified context, wrapped or not.
        ["policy-tenant-not-from-verified-context", `policy by_setting on ${s.schema}.items`],
        ["policy-tenant-not-from-verified-context", `policy by_setting on ${s.schema}.items`],
      ]);
      assert.ok(
        findings.filter((f) => f.rule === "policy-context-not-wrapped").every((f) => f.message.startsWith("USING")),
        "the wrapped WITH CHECK forms are accepted",
      );
    },
  );

  ruleTest(
    "policy-always-true",
    "USING (true), an OR branch on a settable flag, and a column compared with itself",
    async () => {
      const { findings, s } = await lintScratch(async (s) => {
        await replacePolicy(
          s,
          (t) =>
            owner`create policy open on ${t} using (true) with check (tenant_id = (select app.current_tenant_id()))`,
        );
        await tenantTable(s, "flagged");
        await owner`drop policy tenant_isolation on ${s.at("flagged")}`;
        await owner`create policy admin_flag on ${s.at("flagged")}
                  using (tenant_id = (select app.current_tenant_id()) or (select current_setting('app.is_admin', true)) = 'on')
                  with check (tenant_id = (select app.current_tenant_id()))`;
        await tenantTable(s, "selfish");
        await owner`drop policy tenant_isolation on ${s.at("selfish")}`;
        await owner`create policy itself on ${s.at("selfish")} using (tenant_id = tenant_id) with check (tenant_id = (select app.current_tenant_id()))`;
        // Not findings: a restrictive policy, and USING (false).
        await tenantTable(s, "closed");
        await owner`create policy never on ${s.at("closed")} as restrictive for select using (true)`;
        await owner`create policy nothing on ${s.at("closed")} for select using (false)`;
      });
      assert.deepEqual(sorted(keys(findings)), [
        ["policy-always-true", `policy admin_flag on ${s.schema}.flagged`],
        ["policy-always-true", `policy itself on ${s.schema}.selfish`],
        ["policy-always-true", `policy open on ${s.schema}.items`],
        ["policy-multiple-permissive", `table ${s.schema}.closed`],
        ["policy-tenant-not-from-verified-context", `policy itself on ${s.schema}.selfish`],
      ]);
    },
  );

  ruleTest("policy-multiple-permissive", "two permissive SELECT policies for the same role", async () => {
    const { findings, s } = await lintScratch(async (s) => {
      await tenantTable(s);
      await owner`create policy also_mine on ${s.at("items")} for select to app_user using (tenant_id = (select app.current_tenant_id()))`;
      // Not a finding: a restrictive policy narrows instead of widening.
      await owner`create policy only_named on ${s.at("items")} as restrictive for select using (name <> '')`;
    });
    assert.deepEqual(keys(findings), [["policy-multiple-permissive", `table ${s.schema}.items`]]);
    assert.match(
      findings[0]!.message,
      /2 permissive SELECT policies apply to role app_user \(also_mine, tenant_isolation\)/,
    );
  });
});

describe("indexes and comparison types", () => {
  ruleTest("tenant-index-missing", "a tenant table with no index leading with tenant_id", async () => {
    const { findings, s } = await lintScratch(async (s) => {
      await tenantTable(s);
      await owner`alter table ${s.at("items")} drop constraint items_pkey`;
      await owner`create index on ${s.at("items")} (id, tenant_id)`;
    });
    assert.deepEqual(keys(findings), [["tenant-index-missing", `table ${s.schema}.items`]]);
  });

  ruleTest("policy-tenant-type-mismatch", "tenant_id cast to text and compared with a setting", async () => {
    const { findings, s } = await lintScratch((s) =>
      replacePolicy(
        s,
        (t) =>
          owner`create policy as_text on ${t}
              using (tenant_id::text = (select current_setting('app.tenant_id', true)))
              with check (tenant_id::text = (select current_setting('app.tenant_id', true)))`,
      ),
    );
    const policy = `policy as_text on ${s.schema}.items`;
    assert.deepEqual(keys(findings), [
      ["policy-tenant-not-from-verified-context", policy],
      ["policy-tenant-not-from-verified-context", policy],
      ["policy-tenant-type-mismatch", policy],
      ["policy-tenant-type-mismatch", policy],
    ]);
  });
});

describe("keys", () => {
  ruleTest("tenant-fk-without-tenant-id", "a foreign key on id alone (to a globally unique id)", async () => {
    const { findings, s } = await lintScratch(async (s) => {
      await tenantTable(s);
      await owner`alter table ${s.at("items")} add constraint items_id_key unique (id)`;
      await tenantTable(s, "children");
      await owner`alter table ${s.at("children")} add column item_id uuid references ${s.at("items")} (id)`;
    });
    assert.deepEqual(sorted(keys(findings)), [
      ["tenant-fk-without-tenant-id", `constraint children_item_id_fkey on ${s.schema}.children`],
      ["unique-without-tenant-id", `constraint items_id_key on ${s.schema}.items`],
    ]);
  });

  ruleTest(
    "tenant-fk-without-tenant-id",
    "a composite foreign key that pairs tenant_id with the wrong column",
    async () => {
      const { findings, s } = await lintScratch(async (s) => {
        await tenantTable(s);
        await tenantTable(s, "children");
        await owner`alter table ${s.at("children")} add column item_id uuid`;
        await owner`alter table ${s.at("children")} add constraint crossed foreign key (item_id, tenant_id) references ${s.at("items")} (tenant_id, id)`;
      });
      assert.deepEqual(keys(findings), [["tenant-fk-without-tenant-id", `constraint crossed on ${s.schema}.children`]]);
    },
  );

  ruleTest("unique-without-tenant-id", "a unique index on name alone, and a primary key on id alone", async () => {
    const { findings, s } = await lintScratch(async (s) => {
      await tenantTable(s);
      await owner`create unique index items_name_key on ${s.at("items")} (name)`;
      await owner`create table ${s.at("tags")} (id uuid primary key, tenant_id uuid not null, label text)`;
      await owner`create index on ${s.at("tags")} (tenant_id)`;
      await owner`alter table ${s.at("tags")} enable row level security`;
      await owner`alter table ${s.at("tags")} force row level security`;
      await owner`create policy tenant_isolation on ${s.at("tags")} using (tenant_id = (select app.current_tenant_id())) with check (tenant_id = (select app.current_tenant_id()))`;
    });
    assert.deepEqual(sorted(keys(findings)), [
      ["unique-without-tenant-id", `constraint tags_pkey on ${s.schema}.tags`],
      ["unique-without-tenant-id", `index ${s.schema}.items_name_key`],
    ]);
  });

  ruleTest(
    "unique-without-tenant-id",
    "a key listed as deliberately global is accepted, an unlisted one is not",
    async () => {
      let listed = "";
      const { findings, s } = await lintScratch(
        async (s) => {
          await tenantTable(s);
          await owner`alter table ${s.at("items")} add column token_hash text, add column label text`;
          await owner`create unique index items_token_hash_key on ${s.at("items")} (token_hash)`;
          await owner`create unique index items_label_key on ${s.at("items")} (label)`;
          listed = `${s.schema}.items_token_hash_key`;
        },
        () => ({ globalUniqueKeys: [...rlsLintSettings.globalUniqueKeys.map((k) => k.index), listed] }),
      );
      assert.deepEqual(keys(findings), [["unique-without-tenant-id", `index ${s.schema}.items_label_key`]]);
    },
  );
});

describe("views and definer functions", () => {
  ruleTest("view-without-security-invoker", "a plain view, and a view over that view", async () => {
    const { findings, s } = await lintScratch(async (s) => {
      await tenantTable(s);
      await owner`create view ${s.at("items_view")} as select * from ${s.at("items")}`;
      await owner`create view ${s.at("names_view")} with (security_invoker = true) as select name from ${s.at("items_view")}`;
      await owner`create view ${s.at("fine_view")} with (security_invoker = true) as select name from ${s.at("items")}`;
    });
    assert.deepEqual(keys(findings), [["view-without-security-invoker", `view ${s.schema}.items_view`]]);
  });

  ruleTest("materialized-view-over-tenant-table", "a materialized view over a tenant table", async () => {
    const { findings, s } = await lintScratch(async (s) => {
      await tenantTable(s);
      await owner`create materialized view ${s.at("items_copy")} as select * from ${s.at("items")}`;
    });
    assert.deepEqual(keys(findings), [
      ["materialized-view-over-tenant-table", `materialized view ${s.schema}.items_copy`],
    ]);
  });

  ruleTest("definer-search-path-not-pinned", "a definer function without SET search_path", async () => {
    const { findings, s } = await lintScratch(async (s) => {
      await owner`create function ${s.at("count_items")}() returns bigint language sql security definer as 'select 1::bigint'`;
      await owner`revoke all on function ${s.at("count_items")}() from public`;
    });
    assert.deepEqual(keys(findings), [["definer-search-path-not-pinned", `function ${s.schema}.count_items()`]]);
  });

  ruleTest("definer-executable-by-runtime-role", "a definer function left executable by PUBLIC", async () => {
    const { findings, s } = await lintScratch(async (s) => {
      await owner`create function ${s.at("peek")}(p uuid) returns bigint language sql security definer set search_path = pg_catalog
                  as 'select count(*) from public.conversations where tenant_id = p'`;
    });
    assert.deepEqual(keys(findings), [
      ["definer-executable-by-runtime-role", `function ${s.schema}.peek(uuid)`],
      ["definer-executable-by-runtime-role", `function ${s.schema}.peek(uuid)`],
    ]);
    assert.deepEqual(findings.map((f) => f.message.split(" ")[0]).sort(), ["agent_reader", "app_user"]);
  });

  ruleTest(
    "definer-executable-by-runtime-role",
    "an allow-listed function granted to a role it is not allowed for",
    async () => {
      try {
        await owner`grant execute on function app.authenticate(text, text) to agent_reader`;
        const { findings } = await runRlsLint(owner);
        assert.deepEqual(keys(findings), [
          ["definer-executable-by-runtime-role", "function app.authenticate(text, text)"],
        ]);
        assert.match(findings[0]!.message, /^agent_reader can execute/);
      } finally {
        await owner`revoke execute on function app.authenticate(text, text) from agent_reader`;
      }
    },
  );
});

describe("runtime roles", () => {
  ruleTest("runtime-role-missing", "the configured app role does not exist", async () => {
    const { findings } = await lintScratch(
      async () => undefined,
      () => ({ roles: { app: "lint_scratch_no_such_role" } }),
    );
    assert.deepEqual(keys(findings), [["runtime-role-missing", "role lint_scratch_no_such_role"]]);
  });

  ruleTest("runtime-role-superuser", "a superuser as the app role", async () => {
    let role = "";
    const { findings } = await lintScratch(
      async (s) => void (role = await s.role("superuser")),
      () => ({ roles: { app: role } }),
    );
    assert.ok(keys(findings).some(([rule, object]) => rule === "runtime-role-superuser" && object === `role ${role}`));
    assert.ok(
      findings.every((f) => f.object === `role ${role}` || f.message.includes(role)),
      "every finding is about the scratch role",
    );
  });

  ruleTest("runtime-role-bypassrls", "a BYPASSRLS role as the app role", async () => {
    let role = "";
    const { findings } = await lintScratch(
      async (s) => void (role = await s.role("bypassrls")),
      () => ({ roles: { app: role } }),
    );
    assert.deepEqual(keys(findings), [["runtime-role-bypassrls", `role ${role}`]]);
  });

  ruleTest("runtime-role-owns-objects", "the app role owns a table", async () => {
    let role = "";
    const { findings, s } = await lintScratch(
      async (s) => {
        role = await s.role();
        await owner`create table ${s.at("owned")} (x int)`;
        await owner`alter table ${s.at("owned")} owner to ${owner(role)}`;
      },
      () => ({ roles: { app: role } }),
    );
    assert.deepEqual(sorted(keys(findings)), [
      ["runtime-role-owns-objects", `table ${s.schema}.owned`],
      ["runtime-role-reaches-table-outside-rls", `table ${s.schema}.owned`],
    ]);
  });

  ruleTest("runtime-role-member-of-role", "the app role is a member of the BYPASSRLS platform_admin role", async () => {
    let role = "";
    const { findings } = await lintScratch(
      async (s) => {
        role = await s.role();
        await owner`grant platform_admin to ${owner(role)}`;
      },
      () => ({ roles: { app: role } }),
    );
    // The membership also hands the app role platform_admin's one definer function (revoking sessions).
    assert.deepEqual(keys(findings), [
      ["definer-executable-by-runtime-role", "function app.revoke_sessions_of(text)"],
      ["runtime-role-member-of-role", `role ${role}`],
    ]);
    assert.match(findings.find((f) => f.rule === "runtime-role-member-of-role")!.message, /member of platform_admin/);
  });

  ruleTest("runtime-role-privilege-outside-rls", "TRUNCATE, REFERENCES and TRIGGER on a tenant table", async () => {
    const { findings, s } = await lintScratch(async (s) => {
      await tenantTable(s);
      await owner`grant select, truncate, references, trigger on ${s.at("items")} to app_user`;
    });
    assert.deepEqual(keys(findings), [
      ["runtime-role-privilege-outside-rls", `table ${s.schema}.items`],
      ["runtime-role-privilege-outside-rls", `table ${s.schema}.items`],
      ["runtime-role-privilege-outside-rls", `table ${s.schema}.items`],
    ]);
    assert.deepEqual(findings.map((f) => f.message.split(":")[0]).sort(), [
      "app_user has REFERENCES",
      "app_user has TRIGGER",
      "app_user has TRUNCATE",
    ]);
  });

  ruleTest("runtime-role-can-create", "CREATE on a schema, CREATE and TEMPORARY on the database", async () => {
    let role = "";
    const { findings, s } = await lintScratch(
      async (s) => {
        await owner`grant create on schema ${owner(s.schema)} to app_user`;
        role = await s.role();
        const [db] = await owner<{ name: string }[]>`select current_database() as name`;
        await owner`grant create, temporary on database ${owner(db!.name)} to ${owner(role)}`;
      },
      () => ({ roles: { agent: role } }),
    );
    const [db] = await owner<{ name: string }[]>`select current_database() as name`;
    assert.deepEqual(sorted(keys(findings)), [
      ["runtime-role-can-create", `database ${db!.name}`],
      ["runtime-role-can-create", `database ${db!.name}`],
      ["runtime-role-can-create", `schema ${s.schema}`],
    ]);
  });
});

describe("agent_reader", () => {
  ruleTest("agent-reader-beyond-select", "INSERT on a table, UPDATE on a column, USAGE on a sequence", async () => {
    const { findings, s } = await lintScratch(async (s) => {
      await tenantTable(s);
      await owner`create table ${s.at("lookup")} (code text primary key, label text)`;
      await owner`create sequence ${s.at("numbers")}`;
      await owner`grant select, insert on ${s.at("items")} to agent_reader`;
      await owner`grant select, update (label) on ${s.at("lookup")} to agent_reader`;
      await owner`grant usage on sequence ${s.at("numbers")} to agent_reader`;
    });
    assert.deepEqual(sorted(keys(findings)), [
      ["agent-reader-beyond-select", `sequence ${s.schema}.numbers`],
      ["agent-reader-beyond-select", `table ${s.schema}.items`],
      ["agent-reader-beyond-select", `table ${s.schema}.lookup`],
      ["runtime-role-reaches-table-outside-rls", `table ${s.schema}.lookup`],
    ]);
  });
});

describe("default deny", () => {
  ruleTest(
    "runtime-role-reaches-table-outside-rls",
    "tables no tenant rule recognises, granted to app_user: no tenant column, RLS not forced, a plain view",
    async () => {
      const { findings, s } = await lintScratch(async (s) => {
        // Neither tenant_id nor a key to tenants nor a policy: invisible to every tenant-table rule.
        await owner`create table ${s.at("notes")} (workspace_ref uuid not null, body text)`;
        await owner`grant select, insert on ${s.at("notes")} to app_user`;
        await owner`create table ${s.at("half")} (owner_ref uuid not null, body text)`;
        await owner`alter table ${s.at("half")} enable row level security`;
        await owner`grant select on ${s.at("half")} to agent_reader`;
        await owner`create view ${s.at("notes_view")} as select body from ${s.at("notes")}`;
        await owner`grant select on ${s.at("notes_view")} to app_user`;
        // Not findings: a tenant table under forced RLS, and a security_invoker view over it.
        await tenantTable(s);
        await owner`grant select on ${s.at("items")} to app_user`;
        await owner`create view ${s.at("items_view")} with (security_invoker = true) as select name from ${s.at("items")}`;
        await owner`grant select on ${s.at("items_view")} to app_user`;
      });
      assert.deepEqual(sorted(keys(findings)), [
        ["runtime-role-reaches-table-outside-rls", `table ${s.schema}.half`],
        ["runtime-role-reaches-table-outside-rls", `table ${s.schema}.notes`],
        ["runtime-role-reaches-table-outside-rls", `view ${s.schema}.notes_view`],
      ]);
      assert.match(findings.find((f) => f.object.endsWith(".half"))!.message, /^agent_reader has SELECT/);
    },
  );

  ruleTest(
    "policy-tenant-not-from-verified-context",
    "a tenant taken from a setting, from the session user, from a constant",
    async () => {
      const { findings, s } = await lintScratch(async (s) => {
        await replacePolicy(
          s,
          (t) => owner`create policy by_setting on ${t}
                  using (tenant_id = (select nullif(current_setting('app.tenant', true), '')::uuid))
                  with check (tenant_id = (select app.current_tenant_id()))`,
        );
        await tenantTable(s, "by_role");
        await owner`drop policy tenant_isolation on ${s.at("by_role")}`;
        await owner`create policy by_role on ${s.at("by_role")}
                  using (tenant_id = (select t.id from public.tenants t where t.slug = current_user))
                  with check (tenant_id = (select app.current_tenant_id()))`;
        await tenantTable(s, "one_tenant");
        await owner`drop policy tenant_isolation on ${s.at("one_tenant")}`;
        await owner`create policy fixed on ${s.at("one_tenant")}
                  using (tenant_id = (select app.current_tenant_id()) or tenant_id = '00000000-0000-0000-0000-000000000001'::uuid)
                  with check (tenant_id = (select app.current_tenant_id()))`;
      });
      assert.deepEqual(sorted(keys(findings)), [
        ["policy-tenant-not-from-verified-context", `policy by_role on ${s.schema}.by_role`],
        ["policy-tenant-not-from-verified-context", `policy by_setting on ${s.schema}.items`],
        ["policy-tenant-not-from-verified-context", `policy fixed on ${s.schema}.one_tenant`],
      ]);
      assert.ok(findings.every((f) => f.message.startsWith("USING")));
    },
  );

  it("recognises a tenant table by the column its policy compares with the context, whatever its name", async () => {
    const { findings, catalog, s } = await (async () => {
      let snapshot: Awaited<ReturnType<typeof runRlsLint>>["catalog"] | undefined;
      const result = await lintScratch(async (s) => {
        await owner`create table ${s.at("docs")} (workspace uuid not null, id uuid not null, body text, primary key (workspace, id))`;
        await owner`alter table ${s.at("docs")} enable row level security`;
        await owner`create policy docs_isolation on ${s.at("docs")}
                  using (workspace = (select app.current_tenant_id())) with check (workspace = (select app.current_tenant_id()))`;
        snapshot = (await runRlsLint(owner)).catalog;
      });
      return { ...result, catalog: snapshot! };
    })();
    const docs = catalog.tenantTables.find((t) => t.qualified === `${s.schema}.docs`);
    assert.equal(docs?.tenantColumn?.name, "workspace");
    // So the tenant-table rules apply to it: here, FORCE is missing.
    assert.deepEqual(keys(findings), [["rls-not-forced", `table ${s.schema}.docs`]]);
  });
});

describe("npm run db:lint", () => {
  it("--json lists the findings and exits 1 while a broken object exists", async () => {
    const schema = `lint_scratch_${suffix()}`;
    await owner`create schema ${owner(schema)}`;
    try {
      await owner`create table ${owner(schema)}.${owner("leaky")} (tenant_id uuid not null, body text)`;
      const { code, stdout } = await cli(["--json"]);
      assert.equal(code, 1);
      const report = JSON.parse(stdout) as { count: number; findings: Finding[] };
      assert.equal(report.count, report.findings.length);
      const named = report.findings.filter((f) => f.object === `table ${schema}.leaky`).map((f) => f.rule);
      assert.deepEqual(named.sort(), ["rls-no-policy", "rls-not-enabled", "rls-not-forced", "tenant-index-missing"]);
      assert.ok(report.findings.every((f) => f.fix.length > 0));
    } finally {
      await owner`drop schema ${owner(schema)} cascade`;
    }
  });

  it("has a test above for every rule", () => {
    assert.deepEqual(
      rules.map((r) => r.id).filter((id) => !tested.has(id)),
      [],
    );
  });
});
