import { allowedDefinerFunctions } from "../allowed-definer-functions";
import type { Rule } from "../types";

/** SECURITY DEFINER functions bypass RLS: their search_path is pinned, and the runtime roles reach only the allow-listed ones. */

const normalized = (signature: string) => signature.replace(/\s+/g, "").toLowerCase();

export const definerSearchPath: Rule = {
  id: "definer-search-path-not-pinned",
  checks: "every SECURITY DEFINER function pins its search_path",
  run: (catalog) =>
    catalog.definerFunctions
      .filter((f) => !f.config.some((setting) => setting.startsWith("search_path=")))
      .map((f) => ({
        rule: "definer-search-path-not-pinned",
        object: `function ${f.signature}`,
        message:
          "SECURITY DEFINER function without a pinned search_path: a caller's search_path can substitute the tables and functions it names",
        fix: `ALTER FUNCTION ${f.signature} SET search_path = pg_catalog, pg_temp (and schema-qualify what it uses)`,
      })),
};

export const definerAllowList: Rule = {
  id: "definer-executable-by-runtime-role",
  checks:
    "app_user and agent_reader can execute only the SECURITY DEFINER functions in db/rls-lint/allowed-definer-functions.ts",
  run: (catalog) =>
    catalog.definerFunctions.flatMap((f) => {
      const allowed =
        allowedDefinerFunctions.find((a) => normalized(a.signature) === normalized(f.signature))?.roles ?? [];
      return f.executableBy
        .filter((role) => !allowed.includes(role))
        .map((role) => ({
          rule: "definer-executable-by-runtime-role",
          object: `function ${f.signature}`,
          message: `${role} can execute this SECURITY DEFINER function, which runs with its owner's rights (no RLS), and it is not on the allow-list`,
          fix: `REVOKE EXECUTE ON FUNCTION ${f.signature} FROM PUBLIC, ${role}; or, if it is a deliberate entry point, add it to db/rls-lint/allowed-definer-functions.ts`,
        }));
    }),
};

export const definerFunctionRules: Rule[] = [definerSearchPath, definerAllowList];
