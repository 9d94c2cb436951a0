import type { Metadata } from "next";
import { requireTenant } from "@/lib/auth/session";
import { PasswordForm, ProfileForm } from "./profile-forms";

export const metadata: Metadata = { title: "Profile" };

const card = "rounded-xl border border-slate-200 bg-white p-6 dark:border-slate-800 dark:bg-slate-900";

export default async function ProfilePage() {
  const session = await requireTenant("account.update");
  return (
    <div className="grid gap-6 md:grid-cols-2">
      <section className={card}>
        <h2 id="profile-heading" className="font-semibold">
          Profile
        </h2>
        <p className="mb-4 mt-1 text-sm text-slate-500">Signed in as {session.email}.</p>
        <ProfileForm name={session.userName} />
      </section>
      <section className={card}>
        <h2 id="password-heading" className="mb-4 font-semibold">
          Password
        </h2>
        <PasswordForm />
      </section>
    </div>
  );
}
