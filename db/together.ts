/**
 * Statements of one transaction sent together, in one round trip: postgres.js writes a connection's
 * queries in the order they are started, and the server runs them in that order. A Drizzle query
 * starts when awaited, so a list of them starts here, in the order listed; a promise in the list has
 * started already, when it was made. If a statement fails, the transaction is aborted and every later
 * one fails with "current transaction is aborted": the error thrown is the first in statement order
 * (the cause), whichever promise happens to settle first.
 */
export async function together<T extends readonly unknown[] | []>(
  statements: T,
): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  const settled = await Promise.allSettled(statements);
  const values: unknown[] = [];
  for (const statement of settled) {
    if (statement.status === "rejected") throw statement.reason;
    values.push(statement.value);
  }
  return values as { -readonly [K in keyof T]: Awaited<T[K]> };
}
