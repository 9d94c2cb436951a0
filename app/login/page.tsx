import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { auth } from "@/auth";
import { demoPassword, demoUsers } from "@/db/seed/demo-data";
import { LoginForm } from "./login-form";

export const metadata: Metadata = { title: "Sign in" };

export default async function LoginPage() {
  const session = await auth();
  if (session?.user?.id) redirect("/conversations");
  const showDemo = process.env.NODE_ENV !== "production" || process.env.SHOW_DEMO_ACCOUNTS === "true";
  return (
    <main className="mx-auto flex min-h-screen max-w-md flex-col justify-center gap-8 p-6">
      <div>
        <h1 className="text-2xl font-semibold">Sign in</h1>
        <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">Your agents&apos; conversations, visible to your team only.</p>
      </div>
      <div className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm dark:border-slate-800 dark:bg-slate-900">
        <LoginForm />
      </div>
      {showDemo ? (
        <section aria-labelledby="demo-accounts" className="rounded-xl border border-dashed border-slate-300 p-4 text-sm dark:border-slate-700">
          <h2 id="demo-accounts" className="font-medium">Demo accounts</h2>
          <p className="mt-1 text-slate-600 dark:text-slate-400">
            Password for all: <code className="rounded bg-slate-100 px-1 dark:bg-slate-800">{demoPassword}</code>
          </p>
          <ul className="mt-2 space-y-1">
            {demoUsers.map((u) => (
              <li key={u.email}>
                <code>{u.email}</code>{" "}
                <span className="text-slate-500">{u.memberships.map((m) => `${m.tenantSlug} (${m.role})`).join(", ")}</span>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </main>
  );
}
