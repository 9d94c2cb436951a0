import type postgres from "postgres";
import { loadCatalog } from "./catalog";
import { agentReaderRules } from "./rules/agent-reader";
import { defaultDenyRules } from "./rules/default-deny";
import { definerFunctionRules } from "./rules/definer-functions";
import { keyRules } from "./rules/keys";
import { policyExpressionRules } from "./rules/policy-expressions";
import { rowSecurityRules } from "./rules/row-security";
import { runtimeRoleRules } from "./rules/runtime-roles";
import { tenantIndexRules } from "./rules/tenant-index";
import { viewRules } from "./rules/views";
import { rlsLintSettings, type RuntimeRoles } from "./settings";
import type { Catalog, Finding, Rule } from "./types";

/**
 * The RLS lint: reads the live catalog and reports every way the database departs from the
 * isolation design (docs/rls-lint.md lists the rules). `npm run db:lint` and `npm test` run it.
 */
export const rules: Rule[] = [
  ...rowSecurityRules,
  ...policyExpressionRules,
  ...tenantIndexRules,
  ...keyRules,
  ...viewRules,
  ...definerFunctionRules,
  ...runtimeRoleRules,
  ...agentReaderRules,
  ...defaultDenyRules,
];

export interface RlsLintOptions {
  /** The roles to lint as the app's and the agent's (tests point these at scratch roles). */
  roles?: Partial<RuntimeRoles>;
  /** Replaces rlsLintSettings.globalUniqueKeys (tests). */
  globalUniqueKeys?: string[];
}

export interface RlsLintResult {
  catalog: Catalog;
  findings: Finding[];
}

export async function runRlsLint(sql: postgres.Sql, options: RlsLintOptions = {}): Promise<RlsLintResult> {
  const catalog = await loadCatalog(sql, { ...rlsLintSettings.roles, ...options.roles });
  const exceptions = {
    globalUniqueKeys: new Set(options.globalUniqueKeys ?? rlsLintSettings.globalUniqueKeys.map((k) => k.index)),
  };
  const findings = rules
    .flatMap((rule) => rule.run(catalog, exceptions))
    .sort(
      (a, b) => a.rule.localeCompare(b.rule) || a.object.localeCompare(b.object) || a.message.localeCompare(b.message),
    );
  return { catalog, findings };
}

export function formatFinding(f: Finding): string {
  return `[${f.rule}] ${f.object}: ${f.message}. Fix: ${f.fix}`;
}

export type { Finding, Rule } from "./types";
