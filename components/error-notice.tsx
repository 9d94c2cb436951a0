"use client";

import { buttonClass, Callout } from "@/components/ui";

/**
 * What an error boundary shows. A database that cannot serve the request now (db/errors.ts:
 * DatabaseUnavailableError, whose digest Next.js passes to the browser unchanged) gets its own words:
 * nothing is wrong with the request, and trying again shortly works.
 */
const databaseUnavailableDigest = "DATABASE_UNAVAILABLE"; // = databaseUnavailableDigest in db/errors.ts

export function ErrorNotice({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  const unavailable = error.digest === databaseUnavailableDigest;
  return (
    <Callout tone="error" role="alert" data-testid={unavailable ? "database-unavailable" : "page-error"}>
      <h2 className="font-semibold">
        {unavailable ? "The database is unavailable right now." : "Something went wrong loading this page."}
      </h2>
      <p className="mt-1">
        {unavailable
          ? "It may be restarting or busy. Nothing was lost; try again in a few seconds."
          : "The error was logged on the server. You can try again."}
      </p>
      <button onClick={reset} className={`mt-3 ${buttonClass("danger")}`}>
        Try again
      </button>
    </Callout>
  );
}
