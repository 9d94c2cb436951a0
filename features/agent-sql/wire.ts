import { z } from "zod";
import { maxAgentSqlLength } from "./guard";

/** Request and response bodies of the agent endpoints; the OpenAPI document is generated from these. */
// No length or character rule here: the guard refuses text too long, too deep or not storable, and
// every call it refuses is audited (a schema refusal here would not be). The body limit bounds it.
export const sqlRequest = z
  .object({
    sql: z
      .string()
      .describe(`One read-only statement; at most ${maxAgentSqlLength} characters (longer is refused, and audited).`),
  })
  .strict();

export const askRequest = z.object({ question: z.string().trim().min(1, "question is empty").max(2_000) }).strict();

export const sqlResult = z.object({
  columns: z.array(z.object({ name: z.string(), type: z.string().describe('PostgreSQL type name, or "other".') })),
  rows: z.array(z.array(z.unknown())).describe("One array per row, values in column order."),
  rowCount: z.number().int(),
  truncated: z
    .boolean()
    .describe("True when the statement had more rows than the row cap, or more bytes than the answer's byte budget."),
});

export const askResult = z.object({
  question: z.string(),
  answer: z.string().nullable().describe("The model's short answer, when it gave one."),
  queries: z
    .array(
      z.object({
        sql: z.string(),
        result: sqlResult.nullable(),
        error: z
          .object({ code: z.string(), message: z.string() })
          .nullable()
          .describe("Why the guarded path refused this statement."),
      }),
    )
    .describe("Every statement the model ran, in order, each through the guarded path."),
});

export const errorBody = z.object({
  error: z
    .object({
      code: z.string(),
      message: z.string(),
      fields: z.record(z.string(), z.array(z.string())).optional().describe("Per-field messages for invalid bodies."),
      stoppedBy: z.enum(["parser", "database"]).optional().describe("Agent SQL: which wall refused the statement."),
    })
    .loose(),
});
