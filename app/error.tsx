"use client";

import { ErrorNotice } from "@/components/error-notice";

// Errors of the signed-in layout itself (its session and membership check) land here.
export default function RootError(props: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <main className="mx-auto max-w-xl p-6">
      <ErrorNotice {...props} />
    </main>
  );
}
