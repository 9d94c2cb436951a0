import Link from "next/link";
import { PageTitle } from "@/components/ui";
import { requireTenant } from "@/lib/auth/session";
import { settingsTabs } from "./tabs";

export default async function SettingsLayout({ children }: { children: React.ReactNode }) {
  const session = await requireTenant();
  return (
    <div className="space-y-6">
      <div>
        <PageTitle>Settings</PageTitle>
        <nav
          aria-label="Settings"
          className="mt-3 flex gap-1 overflow-x-auto border-b border-slate-200 text-sm dark:border-slate-800"
        >
          {settingsTabs
            .filter((t) => !t.visibleTo || t.visibleTo(session.role))
            .map((t) => (
              <Link
                key={t.href}
                href={t.href}
                className="whitespace-nowrap border-b-2 border-transparent px-3 py-2 text-slate-600 hover:border-slate-300 hover:text-slate-900 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500/50 dark:text-slate-300 dark:hover:text-white"
              >
                {t.label}
              </Link>
            ))}
        </nav>
      </div>
      {children}
    </div>
  );
}
