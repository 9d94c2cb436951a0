"use client";

import { usePathname } from "next/navigation";
import { menuButtonClass, menuClass, menuItemClass } from "@/components/ui";
import { switchTenant } from "./actions";

export interface SwitcherTenant {
  id: string;
  name: string;
  role: string;
}

/** The active tenant; for a member of several, a menu to switch (plain forms: works with the keyboard and without JS). */
export function TenantSwitcher({ active, tenants }: { active: SwitcherTenant; tenants: SwitcherTenant[] }) {
  const pathname = usePathname();
  if (tenants.length < 2) {
    return (
      <span className="font-semibold" data-testid="tenant-name">
        {active.name}
      </span>
    );
  }
  return (
    <details className="group relative">
      <summary
        className={`${menuButtonClass} font-semibold`}
        aria-label={`Workspace: ${active.name}. Switch workspace`}
        data-testid="tenant-switcher"
      >
        <span data-testid="tenant-name">{active.name}</span>
        <svg
          aria-hidden
          viewBox="0 0 20 20"
          fill="currentColor"
          className="h-4 w-4 text-slate-500 group-open:rotate-180"
        >
          <path d="M5.2 7.2a.75.75 0 0 1 1.06 0L10 10.94l3.74-3.74a.75.75 0 1 1 1.06 1.06l-4.27 4.27a.75.75 0 0 1-1.06 0L5.2 8.26a.75.75 0 0 1 0-1.06Z" />
        </svg>
      </summary>
      <ul className={`left-0 ${menuClass}`} aria-label="Your workspaces">
        {tenants.map((t) => (
          <li key={t.id}>
            <form action={switchTenant}>
              <input type="hidden" name="tenantId" value={t.id} />
              <input type="hidden" name="returnTo" value={pathname} />
              <button
                disabled={t.id === active.id}
                aria-current={t.id === active.id ? "true" : undefined}
                className={`flex items-center justify-between ${menuItemClass} disabled:cursor-default disabled:bg-indigo-50 dark:disabled:bg-indigo-950`}
              >
                <span>{t.name}</span>
                <span className="text-xs text-slate-500">{t.role}</span>
              </button>
            </form>
          </li>
        ))}
      </ul>
    </details>
  );
}
