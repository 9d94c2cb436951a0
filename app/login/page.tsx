import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { signedInUser } from "@/lib/auth/session";
import { buttonClass, Card, NarrowPage, PageHeader, TextLink } from "@/components/ui";
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
  if (await signedInUser()) redirect(next);
  const e = env();
  const oauth = [
    { id: "github", label: "Continue with GitHub", enabled: Boolean(e.AUTH_GITHUB_ID) },
    { id: "google", label: "Continue with Google", enabled: Boolean(e.AUTH_GOOGLE_ID) },
  ].filter((p) => p.enabled);
  const showDemo = process.env.NODE_ENV !== "production" || process.env.SHOW_DEMO_ACCOUNTS === "true";
  return (
    <NarrowPage>
      <PageHeader large title="Sign in" description="Your agents' conversations, visible to your team only." />
      <Card className="space-y-6 p-6 shadow-sm">
        <LoginForm next={next === "/conversations" ? undefined : next} />
        {oauth.length > 0 ? (
          <div className="space-y-2 border-t border-slate-200 pt-4 dark:border-slate-800">
            {oauth.map((p) => (
              <form key={p.id} action={signInWithProvider.bind(null, p.id)}>
                <button className={`w-full ${buttonClass("secondary")}`}>{p.label}</button>
              </form>
            ))}
          </div>
        ) : null}
        {e.AUTH_MAGIC_LINKS ? (
          <div className="border-t border-slate-200 pt-4 dark:border-slate-800">
            <MagicLinkForm />
          </div>
        ) : null}
      </Card>
      <p className="text-center text-sm text-slate-600 dark:text-slate-400">
        New here?{" "}
        <TextLink href="/signup" className="font-medium">
          Create an account
        </TextLink>
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
    </NarrowPage>
  );
}
