import type { CheckedSql } from "@/db";
import { runCheckedSql } from "@/db/agent-sql";
import { closePools } from "@/db/client";

/**
 * Run in a child process by tests/agent-sql/audit-transaction.test.ts: audited agent SQL calls, then
 * what a shutdown does (closePools(), then the process ends at once), so that an outcome still waiting
 * for its batch is lost unless closing the pools writes it first. Arguments: tenant id, target, calls.
 */
const [tenantId, target, calls] = process.argv.slice(2) as [string, string, string];
for (let i = 0; i < Number(calls); i++) {
  await runCheckedSql(
    "select count(*) from conversations" as CheckedSql,
    tenantId,
    {},
    {
      target,
      call: { via: "test" },
      outcome: () => ({ verdict: "ok" }),
    },
  );
}
await closePools();
process.exit(0);
