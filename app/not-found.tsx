import Link from "next/link";

// The same page for a conversation that does not exist, belongs to another tenant, or has a malformed id.
export default function NotFound() {
  return (
    <div className="mx-auto flex min-h-[60vh] max-w-md flex-col items-center justify-center gap-4 p-6 text-center">
      <p className="text-sm font-semibold text-indigo-600 dark:text-indigo-400">404</p>
      <h1 className="text-2xl font-semibold">Page not found</h1>
      <p className="text-slate-600 dark:text-slate-400">There is nothing here, or it is not yours to see.</p>
      <Link
        href="/conversations"
        className="rounded-md bg-indigo-600 px-4 py-2 text-sm font-medium text-white hover:bg-indigo-500"
      >
        Back to conversations
      </Link>
    </div>
  );
}
