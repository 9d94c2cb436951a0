import type postgres from "postgres";
import { loadCatalog } from "./catalog";
import { agentReaderRules } from "./rules/agent-reader";
import { definerFunctionRules } from "./rules/definer-functions";
import { keyRules } from "./rules/keys";
import { policyExpressionRules } from "./rules/policy-expressions";
import { rowSecurityRules } from "./rules/row-security";
import { runtimeRoleRules } from "./rules/runtime-roles";
import { tenantIndexRules } from "./rules/tenant-index";
import { viewRules } from "./rules/views";
import { auditSettings, type RuntimeRoles } from "./settings";
import type { Catalog, Finding, Rule } from "./types";

/**
 * The RLS audit: reads the live catalog and reports every way the database departs from the
 * isolation design (see "The RLS audit" in the README). `npm run db:audit` and `npm test` run it.
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
];

export interface AuditOptions {
  /** The roles to audit as the app's and the agent's (tests point these at scratch roles). */
  roles?: Partial<RuntimeRoles>;
  /** Replaces auditSettings.globalUniqueKeys (tests). */
  globalUniqueKeys?: string[];
}

export interface AuditResult {
  catalog: Catalog;
  findings: Finding[];
}

export async function runAudit(sql: postgres.Sql, options: AuditOptions = {}): Promise<AuditResult> {
  const catalog = await loadCatalog(sql, { ...auditSettings.roles, ...options.roles });
  const exceptions = {
    globalUniqueKeys: new Set(options.globalUniqueKeys ?? auditSettings.globalUniqueKeys.map((k) => k.index)),
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
