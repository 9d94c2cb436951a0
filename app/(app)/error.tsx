"use client";

import { buttonClass, Callout } from "@/components/ui";

export default function ErrorPage({ reset }: { error: Error; reset: () => void }) {
  return (
    <Callout tone="error" role="alert">
      <h2 className="font-semibold">Something went wrong loading this page.</h2>
      <p className="mt-1">The error was logged on the server. You can try again.</p>
      <button onClick={reset} className={`mt-3 ${buttonClass("danger")}`}>
        Try again
      </button>
    </Callout>
  );
}
