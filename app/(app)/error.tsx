"use client";

export default function ErrorPage({ reset }: { error: Error; reset: () => void }) {
  return (
    <div
      role="alert"
      className="rounded-xl border border-red-200 bg-red-50 p-6 text-red-800 dark:border-red-900 dark:bg-red-950 dark:text-red-200"
    >
      <h2 className="font-semibold">Something went wrong loading this page.</h2>
      <p className="mt-1 text-sm">The error was logged on the server. You can try again.</p>
      <button
        onClick={reset}
        className="mt-3 rounded-md bg-red-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-red-500"
      >
        Try again
      </button>
    </div>
  );
}
