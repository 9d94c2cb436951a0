import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { signOut } from "@/lib/auth";
import { buttonClass, ButtonLink, Card, NarrowPage, PageHeader } from "@/components/ui";
import { invitationByToken } from "@/db";
import { linkToken } from "@/lib/validation";
import { formatStart } from "@/lib/format";
import { signedInUser } from "@/lib/auth/session";
import { AcceptForm, DeclineForm, NewAccountForm } from "./invite-forms";

// The link's secret is in the path: never send it to another site as a Referer. ("no-referrer" would
// also make the browser send `Origin: null` with the form posts, which Next refuses as cross-site.)
export const metadata: Metadata = { title: "Invitation", referrer: "same-origin" };

const statusText = {
  accepted: "This invitation has already been accepted.",
  declined: "This invitation was declined.",
  revoked: "This invitation was withdrawn. Ask for a new one.",
  expired: "This invitation has expired. Ask for a new one.",
} as const;

export default async function InvitationPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  // An unknown link looks like any missing page.
  const invitation = linkToken.test(token) ? await invitationByToken(token) : null;
  if (!invitation) notFound();
  const user = await signedInUser();

  let body: React.ReactNode;
  if (invitation.status !== "pending") {
    body = (
      <p role="status" className="text-slate-700 dark:text-slate-300">
        {statusText[invitation.status]}
      </p>
    );
  } else if (user && user.email !== invitation.email) {
    body = (
      <div className="space-y-3 text-sm">
        <p>
          This invitation is for <strong>{invitation.email}</strong>, and you are signed in as{" "}
          <strong>{user.email}</strong>.
        </p>
        <form
          action={async () => {
            "use server";
            await signOut({ redirectTo: `/invite/${token}` });
          }}
        >
          <button className={buttonClass("secondary")}>Sign out to continue</button>
        </form>
      </div>
    );
  } else if (user) {
    body = (
      <div className="space-y-3">
        <AcceptForm token={token} />
        <DeclineForm token={token} />
      </div>
    );
  } else if (invitation.accountExists) {
    body = (
      <div className="space-y-3">
        <ButtonLink
          href={`/login?callbackUrl=${encodeURIComponent(`/invite/${token}`)}`}
          className="block w-full text-center"
        >
          Sign in as {invitation.email} to accept
        </ButtonLink>
        <DeclineForm token={token} />
      </div>
    );
  } else {
    body = (
      <div className="space-y-3">
        <NewAccountForm token={token} email={invitation.email} />
        <DeclineForm token={token} />
      </div>
    );
  }

  return (
    <NarrowPage>
      <PageHeader
        large
        title={`Join ${invitation.tenantName}`}
        description={
          <>
            {invitation.invitedByName ?? "Someone"} invited {invitation.email} as <strong>{invitation.role}</strong>
            {invitation.status === "pending" ? ` · valid until ${formatStart(invitation.expiresAt)}` : ""}.
          </>
        }
      />
      <Card className="p-6 shadow-sm">{body}</Card>
    </NarrowPage>
  );
}
