import type { Metadata } from "next";
import Link from "next/link";
import { can } from "@/lib/permissions";
import { requireTenant } from "@/lib/auth/session";
import { CreateAgentForm } from "../agent-forms";

export const metadata: Metadata = { title: "New agent" };

export default async function NewAgentPage() {
  const session = await requireTenant("agents.read");
  return (
    <div className="max-w-lg space-y-4">
      <Link href="/agents" className="text-sm text-indigo-700 hover:underline dark:text-indigo-300">
        ← All agents
      </Link>
      <h1 className="text-xl font-semibold">New agent</h1>
      {can(session.role, "agents.create") ? (
        <div className="rounded-xl border border-slate-200 bg-white p-5 dark:border-slate-800 dark:bg-slate-900">
          <CreateAgentForm />
        </div>
      ) : (
        <p
          role="alert"
          className="rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:bg-amber-950 dark:text-amber-200"
        >
          Only owners and admins can create agents; you are a {session.role} in {session.tenantName}.
        </p>
      )}
    </div>
  );
}
