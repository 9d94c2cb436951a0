/**
 * What agent-written SQL may name. Everything here reads no state beyond its arguments and the rows
 * of the agent-visible tables: no settings (current_setting, set_config), no catalogs or statistics
 * (pg_*), no files or large objects, no other databases, no sleeping, no string amplifiers
 * (repeat, lpad, rpad) that turn a short query into a huge result.
 */

/** Tables agent SQL may read (agent_reader has SELECT on exactly these; RLS limits them to one tenant). */
export const agentVisibleRelations = ["agents", "conversations", "conversation_turns"] as const;

const aggregates = [
  "count", "sum", "avg", "min", "max", "bool_and", "bool_or", "every", "string_agg", "array_agg",
  "json_agg", "jsonb_agg", "json_object_agg", "jsonb_object_agg", "stddev", "stddev_pop", "stddev_samp",
  "variance", "var_pop", "var_samp", "percentile_cont", "percentile_disc", "mode", "corr", "covar_pop",
  "covar_samp", "regr_slope", "regr_intercept", "regr_r2", "regr_count",
];
const windowFunctions = [
  "row_number", "rank", "dense_rank", "percent_rank", "cume_dist", "ntile", "lag", "lead", "first_value",
  "last_value", "nth_value",
];
const dateTime = [
  "now", "date_trunc", "date_part", "extract", "age", "make_date", "make_time", "make_timestamp",
  "make_timestamptz", "make_interval", "to_char", "to_date", "to_timestamp", "to_number", "date_bin",
  "justify_days", "justify_hours", "justify_interval", "isfinite", "timezone", "statement_timestamp",
  "transaction_timestamp", "generate_series",
];
const strings = [
  "length", "char_length", "character_length", "octet_length", "lower", "upper", "initcap", "btrim",
  "ltrim", "rtrim", "substring", "substr", "position", "strpos", "replace", "split_part", "concat",
  "concat_ws", "left", "right", "reverse", "starts_with", "translate", "format", "to_hex", "chr", "ascii",
  "regexp_replace", "regexp_match", "regexp_matches", "regexp_like", "regexp_count", "regexp_substr",
  "regexp_split_to_array", "string_to_array", "array_to_string", "like_escape", "similar_to_escape",
];
const math = [
  "abs", "ceil", "ceiling", "floor", "round", "trunc", "sqrt", "cbrt", "power", "pow", "exp", "ln", "log",
  "log10", "mod", "sign", "pi", "degrees", "radians", "div", "width_bucket", "gcd", "lcm",
];
const arraysAndJson = [
  "array_length", "cardinality", "unnest", "array_position", "json_build_object", "jsonb_build_object",
  "json_build_array", "jsonb_build_array", "to_json", "to_jsonb", "json_array_length", "jsonb_array_length",
  "json_typeof", "jsonb_typeof", "json_extract_path_text", "jsonb_extract_path_text",
];

export const allowedFunctions: ReadonlySet<string> = new Set([...aggregates, ...windowFunctions, ...dateTime, ...strings, ...math, ...arraysAndJson]);

/**
 * Types a value may be cast to. Not regclass, regproc and friends (their input functions look names up
 * in the catalogs), not pg_* types, not xml.
 */
export const allowedTypes: ReadonlySet<string> = new Set([
  "int2", "int4", "int8", "smallint", "integer", "int", "bigint", "numeric", "decimal", "float4", "float8", "real",
  "bool", "boolean", "text", "varchar", "bpchar", "char", "character", "date", "time", "timetz", "timestamp",
  "timestamptz", "interval", "uuid", "json", "jsonb",
  // The schema's enums.
  "channel", "conversation_status", "speaker",
]);

/** CURRENT_DATE and friends are fine; CURRENT_USER, SESSION_USER, CURRENT_SCHEMA… read session state. */
export const allowedSqlValueFunctions: ReadonlySet<string> = new Set([
  "SVFOP_CURRENT_DATE", "SVFOP_CURRENT_TIME", "SVFOP_CURRENT_TIME_N", "SVFOP_CURRENT_TIMESTAMP",
  "SVFOP_CURRENT_TIMESTAMP_N", "SVFOP_LOCALTIME", "SVFOP_LOCALTIME_N", "SVFOP_LOCALTIMESTAMP", "SVFOP_LOCALTIMESTAMP_N",
]);

/** Parse-tree nodes a plain read is made of. Anything else (XML, JSON_TABLE, TABLESAMPLE, $1…) is refused. */
export const allowedNodes: ReadonlySet<string> = new Set([
  "SelectStmt", "ResTarget", "ColumnRef", "A_Star", "String", "Integer", "Float", "Boolean", "BitString", "A_Const",
  "A_Expr", "BoolExpr", "NullTest", "BooleanTest", "FuncCall", "TypeCast", "TypeName", "RangeVar", "Alias",
  "JoinExpr", "RangeSubselect", "RangeFunction", "SubLink", "SortBy", "WithClause", "CommonTableExpr", "CaseExpr",
  "CaseWhen", "CoalesceExpr", "MinMaxExpr", "A_ArrayExpr", "A_Indirection", "A_Indices", "RowExpr", "WindowDef",
  "GroupingSet", "GroupingFunc", "NamedArgExpr", "List", "SQLValueFunction", "CollateClause", "CTESearchClause",
  "CTECycleClause",
]);
