import Link from "next/link";
import { ThemeToggle } from "@/components/theme-toggle";
import { menuButtonClass, menuClass, menuItemClass, navLinkClass } from "@/components/ui";
import { requireTenant, sessionTenants } from "@/lib/auth/session";
import { signOutAction } from "./actions";
import { navItems } from "./nav";
import { TenantSwitcher } from "./tenant-switcher";

export default async function AppLayout({ children }: { children: React.ReactNode }) {
  const session = await requireTenant();
  const tenants = await sessionTenants();
  const links = navItems.filter((item) => !item.visibleTo || item.visibleTo(session.role));
  if (session.isPlatformAdmin) links.push({ href: "/admin", label: "Platform admin" });
  return (
    <div className="min-h-screen">
      <a
        href="#main"
        className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:rounded-md focus:bg-white focus:px-3 focus:py-2 focus:shadow dark:focus:bg-slate-900"
      >
        Skip to content
      </a>
      <header className="border-b border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
        <div className="mx-auto flex max-w-6xl flex-wrap items-center justify-between gap-x-6 gap-y-2 px-4 py-3">
          <div className="flex min-w-0 flex-wrap items-center gap-x-6 gap-y-2">
            <TenantSwitcher
              active={{ id: session.tenantId, name: session.tenantName, role: session.role }}
              tenants={tenants}
            />
            <nav aria-label="Main" className="-mx-1 flex max-w-full gap-1 overflow-x-auto text-sm">
              {links.map((item) => (
                <Link key={item.href} href={item.href} className={navLinkClass}>
                  {item.label}
                </Link>
              ))}
            </nav>
          </div>
          <div className="flex items-center gap-2 text-sm">
            <ThemeToggle />
            <details className="relative">
              <summary className={menuButtonClass} aria-label="Account menu" data-testid="user-menu">
                <span
                  aria-hidden
                  className="flex h-7 w-7 items-center justify-center rounded-full bg-indigo-100 text-xs font-semibold text-indigo-700 dark:bg-indigo-900 dark:text-indigo-200"
                >
                  {session.userName.slice(0, 1).toUpperCase()}
                </span>
                <span className="hidden sm:inline">{session.userName}</span>
              </summary>
              <div className={`right-0 ${menuClass}`}>
                <p className="px-3 py-1 text-xs text-slate-500">
                  <span className="block truncate">{session.email}</span>
                  <span data-testid="current-role">{session.role}</span> in {session.tenantName}
                </p>
                <Link href="/settings" className={`block ${menuItemClass}`}>
                  Profile and password
                </Link>
                <form action={signOutAction}>
                  <button className={menuItemClass}>Sign out</button>
                </form>
              </div>
            </details>
          </div>
        </div>
      </header>
      <main id="main" className="mx-auto max-w-6xl px-4 py-6">
        {children}
      </main>
    </div>
  );
}
