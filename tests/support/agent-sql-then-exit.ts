import type { CheckedSql } from "@/db";
import { runCheckedSql } from "@/db/agent-sql";
import { closePools } from "@/db/client";

/**
 * Run in a child process by tests/agent-sql/audit-transaction.test.ts, with AGENT_SQL_OUTCOME_DELAY_MS
 * longer than the run: audited agent SQL calls, whose outcomes all wait for their batch, then what a
 * shutdown does (closePools(), then the process ends at once), so that the outcomes are lost unless
 * closing the pools writes them first. Arguments: tenant id, target, calls.
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
