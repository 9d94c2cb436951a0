import type { Metadata } from "next";
import { llmConfigured } from "@/features/ask/ask";
import { describeVisibleSchema } from "@/features/agent-sql/visible-schema";
import { requireTenant } from "@/lib/auth/session";
import { cardClass, PageHeader } from "@/components/ui";
import { AskPanel } from "./ask-panel";

export const metadata: Metadata = { title: "Ask your data" };

export default async function AskPage() {
  const session = await requireTenant("agentSql.run");
  return (
    <div className="space-y-6">
      <PageHeader
        title="Ask your data"
        description={
          <>
            Questions become one read-only SQL statement over {session.tenantName}&apos;s agents, conversations and
            transcripts. PostgreSQL row-level security keeps every answer inside {session.tenantName}, whatever the SQL
            says.
          </>
        }
      />
      <AskPanel llm={llmConfigured()} />
      <details className={`${cardClass} p-4 text-sm`}>
        <summary className="cursor-pointer font-medium">Tables you can query</summary>
        <pre className="mt-3 overflow-x-auto whitespace-pre-wrap text-xs text-slate-700 dark:text-slate-300">
          {describeVisibleSchema()}
        </pre>
      </details>
    </div>
  );
}
