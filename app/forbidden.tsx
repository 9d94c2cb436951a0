import Link from "next/link";

// forbidden() from a page or action: a signed-in member whose role does not allow this page.
export default function Forbidden() {
  return (
    <div className="mx-auto flex min-h-[60vh] max-w-md flex-col items-center justify-center gap-4 p-6 text-center">
      <p className="text-sm font-semibold text-indigo-600 dark:text-indigo-400">403</p>
      <h1 className="text-2xl font-semibold">Not allowed</h1>
      <p className="text-slate-600 dark:text-slate-400">
        Your role in this workspace does not include this page. An owner or admin can change your role.
      </p>
      <Link
        href="/conversations"
        className="rounded-md bg-indigo-600 px-4 py-2 text-sm font-medium text-white hover:bg-indigo-500"
      >
        Back to conversations
      </Link>
    </div>
  );
}
