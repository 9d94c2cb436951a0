import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { auth } from "@/lib/auth";
import { demoPassword, demoUsers } from "@/db";
import { env } from "@/lib/env";
import { safeAppPath } from "@/lib/safe-redirect";
import { signInWithProvider } from "./actions";
import { LoginForm, MagicLinkForm } from "./login-form";

export const metadata: Metadata = { title: "Sign in" };

export default async function LoginPage({
  searchParams,
}: {
  searchParams: Promise<{ callbackUrl?: string | string[] }>;
}) {
  const { callbackUrl } = await searchParams;
  const next = safeAppPath(typeof callbackUrl === "string" ? callbackUrl : undefined);
  const session = await auth();
  if (session?.user?.id) redirect(next);
  const e = env();
  const oauth = [
    { id: "github", label: "Continue with GitHub", enabled: Boolean(e.AUTH_GITHUB_ID) },
    { id: "google", label: "Continue with Google", enabled: Boolean(e.AUTH_GOOGLE_ID) },
  ].filter((p) => p.enabled);
  const showDemo = process.env.NODE_ENV !== "production" || process.env.SHOW_DEMO_ACCOUNTS === "true";
  return (
    <main className="mx-auto flex min-h-screen max-w-md flex-col justify-center gap-8 p-6">
      <div>
        <h1 className="text-2xl font-semibold">Sign in</h1>
        <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">
          Your agents&apos; conversations, visible to your team only.
        </p>
      </div>
      <div className="space-y-6 rounded-xl border border-slate-200 bg-white p-6 shadow-sm dark:border-slate-800 dark:bg-slate-900">
        <LoginForm next={next === "/conversations" ? undefined : next} />
        {oauth.length > 0 ? (
          <div className="space-y-2 border-t border-slate-200 pt-4 dark:border-slate-800">
            {oauth.map((p) => (
              <form key={p.id} action={signInWithProvider.bind(null, p.id)}>
                <button className="w-full rounded-md border border-slate-300 px-4 py-2 text-sm font-medium hover:bg-slate-50 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500/50 dark:border-slate-700 dark:hover:bg-slate-800">
                  {p.label}
                </button>
              </form>
            ))}
          </div>
        ) : null}
        {e.AUTH_MAGIC_LINKS ? (
          <div className="border-t border-slate-200 pt-4 dark:border-slate-800">
            <MagicLinkForm />
          </div>
        ) : null}
      </div>
      <p className="text-center text-sm text-slate-600 dark:text-slate-400">
        New here?{" "}
        <Link href="/signup" className="font-medium text-indigo-600 hover:underline dark:text-indigo-400">
          Create an account
        </Link>
      </p>
      {showDemo ? (
        <section
          aria-labelledby="demo-accounts"
          className="rounded-xl border border-dashed border-slate-300 p-4 text-sm dark:border-slate-700"
        >
          <h2 id="demo-accounts" className="font-medium">
            Demo accounts
          </h2>
          <p className="mt-1 text-slate-600 dark:text-slate-400">
            Password for all: <code className="rounded bg-slate-100 px-1 dark:bg-slate-800">{demoPassword}</code>
          </p>
          <ul className="mt-2 space-y-1">
            {demoUsers.map((u) => (
              <li key={u.email}>
                <code>{u.email}</code>{" "}
                <span className="text-slate-500">
                  {u.memberships.map((m) => `${m.tenantSlug} (${m.role})`).join(", ")}
                </span>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </main>
  );
}
