/**
 * Hostile SQL an agent (or a prompt-injected LLM) might send, by category. Shared by the database
 * suite (tests/agent-sql/attack-corpus.test.ts: guarded path, parser off, and controls without the
 * defences) and the HTTP suites (e2e/agent-sql-attacks.spec.ts: POST /api/agent/sql and the MCP
 * run_sql tool). Placeholders are filled per run by fillPlaceholders():
 *   {{acme}} / {{other}}      tenant ids of acme-health (the key's tenant) and globex-realty
 *   {{otherConversation}}     a globex conversation id
 *   {{forgedToken}}           a context token naming globex, with a made-up signature
 *   {{acmeConversations}}     acme's conversation count (for expected rows)
 *
 * expect: "refused" -> 400 from either wall (parser, or PostgreSQL: error or timeout);
 *         "acme_only" -> 200, and nothing of another tenant in the answer;
 *         { rows } -> 200 with exactly these rows.
 */
export const attackCategories = [
  "tenant switching (set_config / SET)",
  "role switching",
  "multi-statement and comment tricks",
  "data-modifying CTEs",
  "catalog and statistics reads",
  "EXPLAIN",
  "file and large-object functions",
  "dblink-style and dynamic SQL",
  "pg_sleep and runaway queries",
  "huge results",
  "unicode and quoting tricks",
  "parser accepts, PostgreSQL rejects",
] as const;

export type AttackCategory = (typeof attackCategories)[number];
export type AttackExpectation = "refused" | "acme_only" | { rows: string[][] };

export interface Attack {
  category: AttackCategory;
  sql: string;
  expect: AttackExpectation;
}

const refused = "refused" as const;
const acmeOnly = "acme_only" as const;
const zero = { rows: [["0"]] };

const corpus: Record<AttackCategory, [string, AttackExpectation][]> = {
  "tenant switching (set_config / SET)": [
    ["select set_config('app.tenant_ctx', '{{forgedToken}}', true)", refused],
    ["select set_config('app.tenant_ctx', '', false), count(*) from conversations", refused],
    ["set app.tenant_ctx = '{{forgedToken}}'", refused],
    ["set local app.tenant_ctx to default", refused],
    ["reset app.tenant_ctx", refused],
    [
      "with s as (select set_config('app.tenant_ctx', '{{forgedToken}}', true)) select count(*) from conversations, s",
      refused,
    ],
    ["select count(*) from conversations where tenant_id = '{{other}}'", zero],
    ["select count(*) from conversations where tenant_id <> '{{acme}}'", zero],
    ["select * from conversations where id = '{{otherConversation}}'", acmeOnly],
    ["select count(*) from conversations", { rows: [["{{acmeConversations}}"]] }],
  ],
  "role switching": [
    ["set role platform_admin", refused],
    ["set local role app_user", refused],
    ["set session authorization postgres", refused],
    ["reset role", refused],
    ["select set_config('role', 'platform_admin', true)", refused],
    ["select current_user, session_user", refused],
  ],
  "multi-statement and comment tricks": [
    ["select 1; commit; select count(*) from conversations", refused],
    ["select 1; delete from conversations", refused],
    ["select 1 /* harmless? */; set role platform_admin", refused],
    ["select 1 -- comment\n; reset all", refused],
    ["/* a */ select 1; /* b */ commit", refused],
    ["select $$;$$; commit; select 1", refused],
    ["select 'x'; rollback; select current_setting('app.tenant_ctx')", refused],
    ["select 1;;; select 2", refused],
  ],
  "data-modifying CTEs": [
    ["with d as (delete from conversations returning *) select count(*) from d", refused],
    ["with u as (update agents set name = 'pwned' returning id) select * from u", refused],
    [
      "with i as (insert into agents (tenant_id, name, channel, vertical) values ('{{other}}', 'x', 'voice', 'x') returning id) select * from i",
      refused,
    ],
    [
      "with m as (merge into agents a using agents b on a.id = b.id when matched then delete returning a.id) select count(*) from m",
      refused,
    ],
    ["select * from (with d as (delete from conversation_turns returning 1) select * from d) x", refused],
    ["with recursive d as (delete from conversation_turns returning 1) select 1", refused],
    ["select * into pwned from conversations", refused],
    ["select * from conversations for update", refused],
  ],
  "catalog and statistics reads": [
    ["select reltuples from pg_class where relname = 'conversations'", refused],
    ["select n_live_tup from pg_stat_user_tables where relname = 'conversations'", refused],
    ["select * from pg_catalog.pg_stats", refused],
    ["select * from information_schema.tables", refused],
    ["select * from users", refused],
    ["select * from memberships", refused],
    ["select * from api_keys", refused],
    ["select * from audit_events", refused],
    ["select * from tenants", refused],
    ["select * from app_private.context_key", refused],
    ["select app.current_tenant_id()", refused],
    ["select 'pg_class'::regclass::oid", refused],
    ["select query from pg_stat_activity", refused],
  ],
  EXPLAIN: [
    ["explain select * from conversations", refused],
    ["explain analyze select * from conversations", refused],
    ["explain (format json) select count(*) from conversations", refused],
    ["explain (costs, verbose) select * from conversation_turns", refused],
    ["EXPLAIN select * from conversations where tenant_id = '{{other}}'", refused],
  ],
  "file and large-object functions": [
    ["select pg_read_file('/etc/passwd')", refused],
    ["select pg_read_binary_file('PG_VERSION')", refused],
    ["select pg_ls_dir('.')", refused],
    ["select lo_import('/etc/passwd')", refused],
    ["select lo_get(1)", refused],
    ["select * from pg_largeobject", refused],
    ["copy conversations to '/tmp/conversations.csv'", refused],
    ["copy (select 1) to program 'id'", refused],
  ],
  "dblink-style and dynamic SQL": [
    ["select * from dblink('dbname=app user=postgres', 'select id from users') as t(id uuid)", refused],
    ["select dblink_connect('host=127.0.0.1 dbname=app')", refused],
    ["create extension dblink", refused],
    ["select query_to_xml('select reltuples from pg_class', true, false, '')", refused],
    ["select table_to_xml('users', true, false, '')", refused],
    ["do $$ begin perform set_config('app.tenant_ctx', '', false); end $$", refused],
    ["select * from xmltable('/a' passing xmlparse(document '<a/>') columns x int path 'x')", refused],
  ],
  "pg_sleep and runaway queries": [
    ["select pg_sleep(10)", refused],
    ["select pg_sleep_for('10 seconds')", refused],
    ["select count(*) from generate_series(1, 10000000000)", refused],
    ["with recursive r(n) as (select 1 union all select n + 1 from r) select count(*) from r", refused],
    ["select count(*) from conversation_turns a, conversation_turns b, conversation_turns c", refused],
  ],
  "huge results": [
    ["select * from conversation_turns", acmeOnly],
    ["select c.*, a.* from conversations c, agents a", acmeOnly],
    ["select t.* from conversation_turns t cross join generate_series(1, 100)", acmeOnly],
    ["select repeat('x', 10000000)", refused],
    ["select lpad('', 10000000, 'x')", refused],
    ["select * from generate_series(1, 5000)", acmeOnly],
  ],
  "unicode and quoting tricks": [
    ['select * from U&"pg_\\0063lass"', refused],
    ['select * from "users"', refused],
    ["SeLeCt * FrOm UsErS", refused],
    ['select * from public."api_keys"', refused],
    ['select * from "pg_catalog"."pg_authid"', refused],
    ["select 1\u037e delete from conversations", refused],
    ["select 1\uff1b delete from conversations", refused],
    ["select U&'\\0027; delete from conversations; --'", acmeOnly],
    ["select 'a''; delete from conversations; --'", acmeOnly],
    ["select $tag$; commit; select * from users $tag$", acmeOnly],
    ["select count(*) from \"conversations\" where tenant_id = '{{other}}'", zero],
  ],
  "parser accepts, PostgreSQL rejects": [
    ["select no_such_column from conversations", refused],
    ["select 1/0", refused],
    ["select 'abc'::int", refused],
    ["select sum(caller) from conversations", refused],
    ["select (select id from conversations)", refused],
    ["values (1), ('a')", refused],
    ["select c.id, a.name from conversations c join agents a on true group by c.id", refused],
  ],
};

export const attacks: Attack[] = Object.entries(corpus).flatMap(([category, entries]) =>
  entries.map(([sql, expect]) => ({ category: category as AttackCategory, sql, expect })),
);

export interface CorpusContext {
  acme: string;
  other: string;
  otherConversation: string;
  acmeConversations: number;
}

export function fillPlaceholders(text: string, ctx: CorpusContext): string {
  const forgedToken = `v1.${ctx.other}..9999999999.${"0".repeat(64)}`;
  return text
    .replaceAll("{{acme}}", ctx.acme)
    .replaceAll("{{otherConversation}}", ctx.otherConversation)
    .replaceAll("{{other}}", ctx.other)
    .replaceAll("{{forgedToken}}", forgedToken)
    .replaceAll("{{acmeConversations}}", String(ctx.acmeConversations));
}

export function expectedRows(expect: AttackExpectation, ctx: CorpusContext): string[][] | null {
  return typeof expect === "object" ? expect.rows.map((row) => row.map((v) => fillPlaceholders(v, ctx))) : null;
}
