import type { Rule } from "../types";

/** Agent-written SQL is untrusted: its role may read, nothing else. */

export const agentReadOnly: Rule = {
  id: "agent-reader-beyond-select",
  checks: "agent_reader holds no privilege but SELECT on any table, view or sequence (column privileges included)",
  run: (catalog) =>
    catalog.roles
      .filter((r) => r.kind === "agent" && r.exists)
      .flatMap((r) =>
        [...r.privileges].flatMap(([relation, { kind, privileges }]) => {
          const extra = privileges.filter((p) => p !== "SELECT");
          return extra.length === 0
            ? []
            : [
                {
                  rule: "agent-reader-beyond-select",
                  object: `${kind} ${relation}`,
                  message: `${r.role} has ${extra.join(", ")}: agent SQL must only read`,
                  fix: `REVOKE ${extra.join(", ")} ON ${kind === "sequence" ? "SEQUENCE " : ""}${relation} FROM PUBLIC, ${r.role}`,
                },
              ];
        }),
      ),
};

export const agentReaderRules: Rule[] = [agentReadOnly];
