import { getTableColumns, getTableName, type Table } from "drizzle-orm";
import { agents, channels, conversations, conversationStatuses, conversationTurns, speakers } from "@/db/schema";

/**
 * The agent-visible schema, described from the Drizzle definitions (one source of truth): what the
 * LLM prompt, the MCP describe_schema tool and the guard's column check all use.
 */
const tables: { table: Table; about: string }[] = [
  { table: agents, about: "The company's AI voice and chat agents." },
  {
    table: conversations,
    about: "One row per call or chat handled by an agent. started_at is when it began; duration_seconds its length.",
  },
  {
    table: conversationTurns,
    about: "The transcript: one row per utterance, ordered by position within a conversation.",
  },
];

const enumValues: Record<string, readonly string[]> = {
  channel: channels,
  conversation_status: conversationStatuses,
  speaker: speakers,
};

export interface VisibleColumn {
  name: string;
  type: string;
  nullable: boolean;
  values?: readonly string[];
}

export interface VisibleTable {
  name: string;
  about: string;
  columns: VisibleColumn[];
}

export const visibleSchema: VisibleTable[] = tables.map(({ table, about }) => ({
  name: getTableName(table),
  about,
  columns: Object.values(getTableColumns(table)).map((c) => {
    const type = c.getSQLType();
    return { name: c.name, type, nullable: !c.notNull, ...(enumValues[type] ? { values: enumValues[type] } : {}) };
  }),
}));

export const visibleColumnNames: ReadonlySet<string> = new Set(
  visibleSchema.flatMap((t) => t.columns.map((c) => c.name)),
);

const joins = [
  "conversations.agent_id = agents.id (and conversations.tenant_id = agents.tenant_id)",
  "conversation_turns.conversation_id = conversations.id",
];

/** Plain-text description for prompts and the describe_schema tool. */
export function describeVisibleSchema(): string {
  const lines: string[] = [
    "PostgreSQL tables you can read (every row belongs to the current tenant; tenant_id is the same on all rows):",
    "",
  ];
  for (const t of visibleSchema) {
    lines.push(`${t.name}: ${t.about}`);
    for (const c of t.columns) {
      const values = c.values ? ` (one of: ${c.values.join(", ")})` : "";
      lines.push(`  - ${c.name} ${c.type}${c.nullable ? " null" : ""}${values}`);
    }
    lines.push("");
  }
  lines.push(`Joins: ${joins.join("; ")}.`);
  return lines.join("\n");
}
