import { signOut } from "@/lib/auth";

export const metadata = { title: "No access" };

// A session whose active tenant the user no longer belongs to ends up here, with no tenant data.
export default function NoAccess() {
  return (
    <main className="mx-auto flex min-h-[60vh] max-w-md flex-col items-center justify-center gap-4 p-6 text-center">
      <h1 className="text-2xl font-semibold">No access to this workspace</h1>
      <p className="text-slate-600 dark:text-slate-400">
        You are no longer a member of the workspace this session was opened for.
      </p>
      <form
        action={async () => {
          "use server";
          await signOut({ redirectTo: "/login" });
        }}
      >
        <button className="rounded-md bg-indigo-600 px-4 py-2 text-sm font-medium text-white hover:bg-indigo-500">
          Sign out
        </button>
      </form>
    </main>
  );
}
