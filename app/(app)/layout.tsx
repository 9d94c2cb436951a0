import Link from "next/link";
import { signOut } from "@/auth";
import { can } from "@/lib/permissions";
import { currentTenant } from "@/lib/tenancy";

export default async function AppLayout({ children }: { children: React.ReactNode }) {
  const session = await currentTenant();
  return (
    <div className="min-h-screen">
      <header className="border-b border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
        <div className="mx-auto flex max-w-6xl flex-wrap items-center justify-between gap-3 px-4 py-3">
          <div className="flex items-center gap-6">
            <span className="font-semibold" data-testid="tenant-name">{session.tenantName}</span>
            <nav className="flex gap-4 text-sm">
              <Link href="/overview" className="text-slate-600 hover:text-slate-900 dark:text-slate-300 dark:hover:text-white">Overview</Link>
              <Link href="/conversations" className="text-slate-600 hover:text-slate-900 dark:text-slate-300 dark:hover:text-white">Conversations</Link>
              <Link href="/agents" className="text-slate-600 hover:text-slate-900 dark:text-slate-300 dark:hover:text-white">Agents</Link>
              <Link href="/ask" className="text-slate-600 hover:text-slate-900 dark:text-slate-300 dark:hover:text-white">Ask your data</Link>
              {can(session.role, "apiKeys", "read") ? (
                <Link href="/settings/api-keys" className="text-slate-600 hover:text-slate-900 dark:text-slate-300 dark:hover:text-white">API keys</Link>
              ) : null}
            </nav>
          </div>
          <div className="flex items-center gap-3 text-sm">
            <span className="hidden text-slate-600 sm:inline dark:text-slate-400">{session.email} · {session.role}</span>
            <form action={async () => { "use server"; await signOut({ redirectTo: "/login" }); }}>
              <button className="rounded-md border border-slate-300 px-3 py-1.5 hover:bg-slate-100 dark:border-slate-700 dark:hover:bg-slate-800">Sign out</button>
            </form>
          </div>
        </div>
      </header>
      <main className="mx-auto max-w-6xl px-4 py-6">{children}</main>
    </div>
  );
}
