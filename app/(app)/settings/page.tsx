import type { Metadata } from "next";
import { Card } from "@/components/ui";
import { requireTenant } from "@/lib/auth/session";
import { OtherSessionsForm, PasswordForm, ProfileForm } from "./profile-forms";

export const metadata: Metadata = { title: "Profile" };

export default async function ProfilePage() {
  const session = await requireTenant("account.update");
  return (
    <div className="grid gap-6 md:grid-cols-2">
      <Card title="Profile" headingId="profile-heading" description={`Signed in as ${session.email}.`}>
        <ProfileForm name={session.userName} />
      </Card>
      <Card title="Password" headingId="password-heading">
        <PasswordForm />
      </Card>
      <Card
        title="Sessions"
        headingId="sessions-heading"
        description="Ends every session of your account except this one, on every device and browser."
      >
        <OtherSessionsForm />
      </Card>
    </div>
  );
}
