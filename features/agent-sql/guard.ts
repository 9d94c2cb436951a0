import { parse, scan } from "libpg-query";
import type { CheckedSql } from "@/db";
import { unstorableReason } from "@/lib/text";
import {
  agentVisibleRelations,
  allowedFunctions,
  allowedNodes,
  allowedSqlValueFunctions,
  allowedTypes,
} from "./allow-list";
import { visibleColumnNames } from "./visible-schema";

/**
 * The first wall for agent-written SQL: the real PostgreSQL parser (libpg-query), then a walk over the
 * whole parse tree. Accepted: exactly one plain read (SELECT, WITH of reads, VALUES) naming only the
 * agent-visible tables, allow-listed functions and types, and nothing that writes, locks, changes a
 * setting or reads the catalogs. The database is the second wall (db/agent-sql.ts): agent_reader, a
 * READ ONLY transaction, the signed tenant context, a timeout and a row cap.
 */
export type RefusalCode =
  | "empty_statement"
  | "syntax_error"
  | "multiple_statements"
  | "not_a_read"
  | "data_modifying_cte"
  | "select_into"
  | "locking_clause"
  | "function_not_allowed"
  | "relation_not_allowed"
  | "type_not_allowed"
  | "construct_not_allowed"
  | "parameters_not_allowed"
  | "too_long"
  | "too_deep"
  | "unstorable_text"
  | "control_character";

export interface Refusal {
  code: RefusalCode;
  message: string;
}

export type GuardVerdict = { ok: true; sql: CheckedSql } | { ok: false; refusal: Refusal };

export const maxAgentSqlLength = 20_000;
/** Nesting the guard accepts, estimated from the tokens before parsing (see nestingEstimate). */
export const maxAgentSqlNesting = 100;

class Refused extends Error {
  constructor(readonly refusal: Refusal) {
    super(refusal.message);
  }
}

const refuse = (code: RefusalCode, message: string): never => {
  throw new Refused({ code, message });
};

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const isObject = (v: Json | undefined): v is JsonObject => typeof v === "object" && v !== null && !Array.isArray(v);
const asList = (v: Json | undefined): Json[] => (Array.isArray(v) ? v : []);
/** A scalar the parser writes as a string (a relation name, an enum value); "" when it is anything else. */
const text = (v: Json | undefined): string => (typeof v === "string" ? v : "");
// Node types are the capitalised keys of the JSON tree ({"SelectStmt": {...}}); fields are lower-case.
const isNodeKey = (key: string) => /^[A-Z]/.test(key);

/** The sval of every {"String": {"sval": …}} in a list (function names, type names, column fields). */
function strings(list: Json | undefined): (string | null)[] {
  return asList(list).map((item) => {
    if (!isObject(item) || !isObject(item.String)) return null;
    const sval = item.String.sval;
    return typeof sval === "string" ? sval : "";
  });
}

const statementNames: Record<string, string> = {
  InsertStmt: "INSERT",
  UpdateStmt: "UPDATE",
  DeleteStmt: "DELETE",
  MergeStmt: "MERGE",
  ExplainStmt: "EXPLAIN (it reveals the planner's row estimates for whole tables, across tenants)",
  VariableSetStmt: "SET/RESET (it changes session settings such as the role or the tenant context)",
  VariableShowStmt: "SHOW",
  TransactionStmt:
    "transaction control (BEGIN/COMMIT/ROLLBACK/SAVEPOINT would end or escape the read-only transaction)",
  CopyStmt: "COPY",
  DoStmt: "DO",
  CallStmt: "CALL",
  PrepareStmt: "PREPARE",
  ExecuteStmt: "EXECUTE",
  DeallocateStmt: "DEALLOCATE",
  LockStmt: "LOCK",
  DiscardStmt: "DISCARD",
  ListenStmt: "LISTEN",
  NotifyStmt: "NOTIFY",
  DeclareCursorStmt: "DECLARE CURSOR",
  FetchStmt: "FETCH",
  TruncateStmt: "TRUNCATE",
  VacuumStmt: "VACUUM/ANALYZE",
  LoadStmt: "LOAD",
  CreateTableAsStmt: "CREATE TABLE AS",
};

function statementName(type: string): string {
  return statementNames[type] ?? (type.endsWith("Stmt") ? `${type.slice(0, -4)} (a utility statement)` : type);
}

interface Scope {
  /** CTE names visible at this point of the tree. */
  ctes: ReadonlySet<string>;
}

class Walker {
  constructor(private readonly definedNames: ReadonlySet<string>) {}

  select(stmt: JsonObject, scope: Scope): void {
    if (stmt.intoClause) refuse("select_into", "Refused: SELECT INTO creates a table; agent SQL may only read.");
    if (asList(stmt.lockingClause).length > 0) {
      refuse("locking_clause", "Refused: FOR UPDATE/SHARE locks rows; agent SQL may only read, without locks.");
    }
    let inner = scope;
    if (isObject(stmt.withClause)) inner = this.withClause(stmt.withClause, scope);
    for (const [key, value] of Object.entries(stmt)) {
      if (key === "withClause" || key === "intoClause" || key === "lockingClause") continue;
      if ((key === "larg" || key === "rarg") && isObject(value)) this.select(value, inner);
      else this.children(value, inner);
    }
  }

  withClause(clause: JsonObject, scope: Scope): Scope {
    const recursive = clause.recursive === true;
    const ctes = asList(clause.ctes).map((c) =>
      isObject(c) && isObject(c.CommonTableExpr)
        ? c.CommonTableExpr
        : refuse("construct_not_allowed", "Refused: malformed WITH clause."),
    );
    const cteName = (cte: JsonObject): string =>
      typeof cte.ctename === "string"
        ? cte.ctename
        : refuse("construct_not_allowed", "Refused: malformed WITH clause.");
    const names = new Set(scope.ctes);
    if (recursive) for (const cte of ctes) names.add(cteName(cte));
    for (const cte of ctes) {
      const query = cte.ctequery;
      const [type] = isObject(query) ? Object.keys(query) : [];
      if (type !== "SelectStmt") {
        refuse(
          "data_modifying_cte",
          `Refused: WITH ${cteName(cte)} AS (${statementName(type ?? "?")} …): a WITH clause may only contain reads.`,
        );
      }
      // A non-recursive CTE sees the ones before it; a recursive WITH sees all of its CTEs.
      const own: Scope = { ctes: new Set(names) };
      for (const [key, value] of Object.entries(cte)) if (key !== "ctequery") this.children(value, own);
      this.select((query as JsonObject).SelectStmt as JsonObject, own);
      names.add(cteName(cte));
    }
    return { ctes: names };
  }

  children(value: Json | undefined, scope: Scope): void {
    if (Array.isArray(value)) {
      for (const item of value) this.children(item, scope);
    } else if (isObject(value)) {
      for (const [key, child] of Object.entries(value)) {
        if (isNodeKey(key)) this.node(key, isObject(child) ? child : {}, scope);
        else if (key === "typeName" && isObject(child)) this.typeName(child);
        else this.children(child, scope);
      }
    }
  }

  node(type: string, body: JsonObject, scope: Scope): void {
    switch (type) {
      case "SelectStmt":
        return this.select(body, scope);
      case "InsertStmt":
      case "UpdateStmt":
      case "DeleteStmt":
      case "MergeStmt":
        return refuse("data_modifying_cte", `Refused: ${statementName(type)} inside a query; agent SQL may only read.`);
      case "RangeVar":
        return this.rangeVar(body, scope);
      case "FuncCall":
        this.functionName(body.funcname);
        return this.children(body, scope);
      case "SQLValueFunction":
        if (!allowedSqlValueFunctions.has(text(body.op))) {
          refuse(
            "function_not_allowed",
            `Refused: ${text(body.op).replace("SVFOP_", "")} reads session state; only CURRENT_DATE, CURRENT_TIME, CURRENT_TIMESTAMP, LOCALTIME and LOCALTIMESTAMP are allowed.`,
          );
        }
        return;
      case "ColumnRef":
        this.qualifiedNames(strings(body.fields).slice(1));
        return this.children(body, scope);
      case "A_Indirection":
        this.qualifiedNames(strings(body.indirection));
        return this.children(body, scope);
      case "A_Expr":
        this.operatorName(body.name);
        return this.children(body, scope);
      case "TypeName":
        return this.typeName(body);
      case "ParamRef":
        return refuse("parameters_not_allowed", "Refused: $n parameters are not supported; write values as literals.");
      default:
        if (!allowedNodes.has(type)) {
          refuse(
            "construct_not_allowed",
            `Refused: ${type} is not part of a plain read; agent SQL may use SELECT, WITH, VALUES, joins, subqueries, expressions and allow-listed functions.`,
          );
        }
        return this.children(body, scope);
    }
  }

  rangeVar(body: JsonObject, scope: Scope): void {
    const name = text(body.relname);
    const schema = typeof body.schemaname === "string" ? body.schemaname : null;
    const label = [body.catalogname, schema, name].filter((p) => typeof p === "string").join(".");
    if (typeof body.catalogname === "string" || (schema !== null && schema !== "public")) {
      refuse(
        "relation_not_allowed",
        `Refused: ${label} is outside the agent-visible tables (${agentVisibleRelations.join(", ")}).`,
      );
    }
    if (schema === null && scope.ctes.has(name)) return;
    if (!(agentVisibleRelations as readonly string[]).includes(name)) {
      refuse(
        "relation_not_allowed",
        `Refused: relation ${label} is not agent-visible; agent SQL may read ${agentVisibleRelations.join(", ")}.`,
      );
    }
  }

  functionName(list: Json | undefined): void {
    const parts = strings(list);
    const name = parts.at(-1);
    const qualifier = parts.length === 2 ? parts[0] : undefined;
    const label = parts.map((p) => p ?? "?").join(".");
    if (
      !name ||
      parts.length > 2 ||
      (parts.length === 2 && qualifier !== "pg_catalog") ||
      !allowedFunctions.has(name)
    ) {
      refuse(
        "function_not_allowed",
        `Refused: function ${label} is not on the allow-list (aggregates, date/time, string and math functions that read no state).`,
      );
    }
  }

  operatorName(list: Json | undefined): void {
    const parts = strings(list);
    if (parts.length > 1 && parts[0] !== "pg_catalog") {
      refuse("function_not_allowed", `Refused: operator ${parts.join(".")} is outside pg_catalog.`);
    }
  }

  typeName(typeName: JsonObject): void {
    const parts = strings(typeName.names);
    const name = parts.at(-1);
    const schemaOk = parts.length === 1 || (parts.length === 2 && (parts[0] === "pg_catalog" || parts[0] === "public"));
    if (!name || !schemaOk || !allowedTypes.has(name)) {
      refuse(
        "type_not_allowed",
        `Refused: type ${parts.join(".")} is not allowed (casts to reg* and other catalog types look names up in the catalogs).`,
      );
    }
  }

  /**
   * `c.f` and `(c).f` call a function f(c) when the row c has no column f (attribute notation), which
   * would reach functions past the allow-list. A qualified name must be a column of an agent-visible
   * table, a name the statement itself defines, or an allow-listed function.
   */
  qualifiedNames(names: (string | null)[]): void {
    for (const name of names) {
      if (name === null) continue; // A_Star, A_Indices
      if (!visibleColumnNames.has(name) && !this.definedNames.has(name) && !allowedFunctions.has(name)) {
        refuse(
          "function_not_allowed",
          `Refused: .${name} is neither a column of an agent-visible table nor a name defined in the query (attribute notation would call a function ${name}()).`,
        );
      }
    }
  }
}

/** Names a statement defines for itself: output and table aliases, CTE names and their columns. */
function definedNames(tree: Json | undefined, into = new Set<string>()): Set<string> {
  if (Array.isArray(tree)) {
    for (const item of tree) definedNames(item, into);
  } else if (isObject(tree)) {
    for (const [key, value] of Object.entries(tree)) {
      if (key === "ResTarget" && isObject(value) && typeof value.name === "string") into.add(value.name);
      if (key === "alias" && isObject(value)) {
        if (typeof value.aliasname === "string") into.add(value.aliasname);
        for (const s of strings(value.colnames)) if (s) into.add(s);
      }
      if (key === "CommonTableExpr" && isObject(value)) {
        if (typeof value.ctename === "string") into.add(value.ctename);
        for (const s of strings(value.aliascolnames)) if (s) into.add(s);
      }
      if (key === "RangeVar" && isObject(value) && typeof value.relname === "string") into.add(value.relname);
      definedNames(value, into);
    }
  }
  return into;
}

// Tokens that nest the parse tree one level deeper than their operands (left-deep chains such as
// 1+1+1…, NOT NOT …, x::a::b, UNION …, JOIN …), counted per bracket level.
const nestingKeywords = new Set([
  "not",
  "is",
  "isnull",
  "notnull",
  "like",
  "ilike",
  "similar",
  "between",
  "in",
  "collate",
  "at",
  "union",
  "intersect",
  "except",
  "join",
  "overlaps",
  "escape",
]);
// Lists the parser keeps flat (AND and OR are flattened into one node; commas separate list items).
const flatSeparators = new Set([",", ";", "and", "or", "when", "then", "else"]);
const operandTokens = new Set(["IDENT", "SCONST", "ICONST", "FCONST", "BCONST", "XCONST", "USCONST", "UIDENT"]);

/**
 * An upper estimate of the parse tree's depth from the tokens alone (the scanner is a loop, not a
 * recursion), so text nested too deeply for the parser and the walk below is refused before either
 * runs: brackets and CASE … END open a level, and within a level each operator or nesting keyword
 * adds one until a comma, AND, OR or WHEN/THEN/ELSE.
 */
async function nestingEstimate(text: string): Promise<number> {
  let tokens: Awaited<ReturnType<typeof scan>>["tokens"];
  try {
    ({ tokens } = await scan(text));
  } catch (error) {
    // The scanner is the parser's lexer: text it cannot split into tokens cannot be parsed either.
    const message = error instanceof Error ? error.message.slice(0, 200) : "unreadable text";
    return refuse("syntax_error", `Refused: the PostgreSQL scanner rejected the SQL: ${message}.`);
  }
  const levels: number[] = [0];
  let deepest = 0;
  let depth = 1;
  for (const token of tokens) {
    const word = token.keywordName === "NO_KEYWORD" ? null : token.text.toLowerCase();
    const t = token.text;
    if (t === "(" || t === "[" || word === "case") {
      levels.push(0);
      depth++;
    } else if (t === ")" || t === "]" || word === "end") {
      if (levels.length > 1) depth -= 1 + levels.pop()!;
    } else if (flatSeparators.has(word ?? t)) {
      depth -= levels[levels.length - 1]!;
      levels[levels.length - 1] = 0;
    } else if (
      (word !== null && nestingKeywords.has(word)) ||
      (word === null &&
        !operandTokens.has(token.tokenName) &&
        !token.tokenName.endsWith("COMMENT") &&
        t !== "." &&
        t !== ":")
    ) {
      levels[levels.length - 1]!++;
      depth++;
    }
    deepest = Math.max(deepest, depth);
  }
  return deepest;
}

interface ParsedStatement {
  stmt?: Json;
  stmt_location?: number;
  stmt_len?: number;
}

async function parseTree(text: string): Promise<ParsedStatement[]> {
  try {
    const result = (await parse(text)) as unknown as { stmts?: ParsedStatement[] };
    return result.stmts ?? [];
  } catch (error) {
    if (error instanceof RangeError) throw error; // too deep after all: refused by the caller
    if (error instanceof SyntaxError) {
      // The parser answered, but its JSON could not be read: refused, not a server error.
      return refuse("syntax_error", "Refused: the PostgreSQL parser's answer for this text could not be read.");
    }
    const message = error instanceof Error ? error.message : String(error);
    const position = (error as { sqlDetails?: { cursorPosition?: number } }).sqlDetails?.cursorPosition;
    return refuse(
      "syntax_error",
      `Refused: the PostgreSQL parser rejected the SQL: ${message}${typeof position === "number" && position >= 0 ? ` (at character ${position + 1})` : ""}.`,
    );
  }
}

/** The statement's own text: without a trailing semicolon or what follows it (byte offsets, UTF-8). */
function statementText(text: string, parsed: ParsedStatement): string {
  const bytes = Buffer.from(text, "utf8");
  const from = parsed.stmt_location ?? 0;
  const to = parsed.stmt_len ? from + parsed.stmt_len : bytes.length;
  return bytes.subarray(from, to).toString("utf8");
}

// C0 controls other than tab, line feed, form feed and carriage return, and DEL: no SQL needs them,
// and the parser's JSON answer does not escape them.
// eslint-disable-next-line no-control-regex
const controlCharacter = /[\u0001-\u0008\u000b\u000e-\u001f\u007f]/;

const tooDeep: Refusal = {
  code: "too_deep",
  message: `Refused: the SQL is nested more deeply than ${maxAgentSqlNesting} levels (brackets, CASE, chained operators).`,
};

export async function checkAgentSql(text: string): Promise<GuardVerdict> {
  try {
    if (text.length > maxAgentSqlLength)
      refuse("too_long", `Refused: the SQL is ${text.length} characters long; the most is ${maxAgentSqlLength}.`);
    const unstorable = unstorableReason(text);
    if (unstorable) refuse("unstorable_text", `Refused: the SQL ${unstorable}.`);
    const control = controlCharacter.exec(text);
    if (control) {
      const code = control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, "0");
      refuse("control_character", `Refused: the SQL contains the control character U+${code}.`);
    }
    if (text.trim() === "") refuse("empty_statement", "Refused: there is no statement.");
    if ((await nestingEstimate(text)) > maxAgentSqlNesting) return { ok: false, refusal: tooDeep };
    const stmts = await parseTree(text);
    if (stmts.length === 0) refuse("empty_statement", "Refused: there is no statement (empty or only comments).");
    if (stmts.length > 1) refuse("multiple_statements", `Refused: ${stmts.length} statements; send exactly one.`);
    const first = stmts[0]!;
    const stmt = isObject(first.stmt) ? first.stmt : {};
    const [type] = Object.keys(stmt);
    if (type !== "SelectStmt" || !isObject(stmt.SelectStmt)) {
      refuse(
        "not_a_read",
        `Refused: ${statementName(type ?? "unknown")} is not allowed; agent SQL may run one SELECT, WITH … SELECT or VALUES statement.`,
      );
    }
    const select = stmt.SelectStmt as JsonObject;
    new Walker(definedNames(select)).select(select, { ctes: new Set() });
    return { ok: true, sql: statementText(text, first) as CheckedSql };
  } catch (error) {
    if (error instanceof Refused) return { ok: false, refusal: error.refusal };
    // A backstop only: the estimate above refuses what is nested this deeply before parsing.
    if (error instanceof RangeError) return { ok: false, refusal: tooDeep };
    throw error;
  }
}
