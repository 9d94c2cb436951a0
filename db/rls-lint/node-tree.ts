/**
 * A reader for pg_node_tree, the form in which PostgreSQL stores policy expressions
 * (pg_policy.polqual / polwithcheck). The deparsed text (pg_get_expr) is meant for people; the tree
 * says exactly which function is called where, which column is read at which query level, and which
 * operator compares what, so the rules read the tree.
 *
 * Format (PostgreSQL's outfuncs.c / read.c): `{NODETYPE :field value …}`, lists `( … )`, `<>` for
 * NULL or an empty list, backslash escapes inside tokens, and datums as `len [ b0 b1 … ]`.
 */
export interface PgNode {
  type: string;
  fields: Record<string, PgValue>;
}
export type PgValue = PgNode | PgValue[] | string | null;

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === " " || ch === "\n" || ch === "\t" || ch === "\r") {
      i++;
    } else if (ch === "(" || ch === ")" || ch === "{" || ch === "}") {
      tokens.push(ch);
      i++;
    } else {
      let token = "";
      while (i < text.length && !" \n\t\r(){}".includes(text[i]!)) {
        if (text[i] === "\\" && i + 1 < text.length) i++;
        token += text[i];
        i++;
      }
      tokens.push(token);
    }
  }
  return tokens;
}

export function parseNodeTree(text: string): PgValue {
  const tokens = tokenize(text);
  let pos = 0;
  const peek = () => tokens[pos];
  const next = () => tokens[pos++];

  function value(): PgValue {
    const token = next();
    if (token === "{") return node();
    if (token === "(") return list();
    if (token === "<>" || token === undefined) return null;
    // A bare token, possibly followed by more bare tokens (a datum: `8 [ 1 0 … ]`).
    let out = token;
    while (pos < tokens.length && !isFieldName(peek()!) && !["}", ")", "{", "("].includes(peek()!)) out += ` ${next()}`;
    return out;
  }
  function node(): PgNode {
    const type = next() ?? "";
    const fields: Record<string, PgValue> = {};
    while (pos < tokens.length && peek() !== "}") {
      const name = next()!;
      fields[name.slice(1)] = isFieldName(name) ? value() : name;
    }
    next(); // }
    return { type, fields };
  }
  function list(): PgValue[] {
    const items: PgValue[] = [];
    while (pos < tokens.length && peek() !== ")") {
      const token = peek()!;
      if (token === "{" || token === "(") items.push(value());
      else items.push(next()!);
    }
    next(); // )
    return items;
  }
  return value();
}

const isFieldName = (token: string) => token.startsWith(":") && token.length > 1;

export function isNode(value: PgValue | undefined): value is PgNode {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Visits every node, depth first, with its ancestors (outermost first). */
export function walk(root: PgValue, visit: (node: PgNode, ancestors: PgNode[]) => void): void {
  const go = (value: PgValue, ancestors: PgNode[]) => {
    if (Array.isArray(value)) {
      for (const item of value) go(item, ancestors);
    } else if (isNode(value)) {
      visit(value, ancestors);
      const inner = [...ancestors, value];
      for (const field of Object.values(value.fields)) go(field, inner);
    }
  };
  go(root, []);
}

export const intField = (n: PgNode, name: string): number => Number(n.fields[name]);

/** A scalar field (an OID, a datum) as its text; "" when the field is a node, a list or NULL. */
export function textField(n: PgNode, name: string): string {
  const value = n.fields[name];
  return typeof value === "string" ? value : "";
}

/**
 * How many query levels out a Var points, counted from the policy's own table: 0 for a column of
 * the table the policy is on, 1 or more for columns of the tables inside sub-selects.
 */
export function queryDepth(ancestors: PgNode[]): number {
  return ancestors.filter((a) => a.type === "QUERY").length;
}

/** True when the Var reads a column of the policy's own table (not one of a sub-select's tables). */
export function isOwnTableVar(n: PgNode, ancestors: PgNode[]): boolean {
  return n.type === "VAR" && queryDepth(ancestors) - intField(n, "varlevelsup") === 0 && intField(n, "varno") === 1;
}

/** A boolean constant false (`USING (false)`), which admits nothing. */
export function isFalseConstant(n: PgValue): boolean {
  if (!isNode(n) || n.type !== "CONST" || intField(n, "consttype") !== 16) return false;
  if (n.fields.constisnull === "true") return true;
  const bytes = textField(n, "constvalue").match(/\[\s*(\d+)/);
  return bytes?.[1] === "0";
}
