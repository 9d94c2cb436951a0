import { signOut } from "@/lib/auth";
import { buttonClass, MessagePage } from "@/components/ui";

export const metadata = { title: "No access" };

// A session whose active tenant the user no longer belongs to ends up here, with no tenant data.
export default function NoAccess() {
  return (
    <MessagePage
      as="main"
      title="No access to this workspace"
      message="You are no longer a member of the workspace this session was opened for."
    >
      <form
        action={async () => {
          "use server";
          await signOut({ redirectTo: "/login" });
        }}
      >
        <button className={buttonClass()}>Sign out</button>
      </form>
    </MessagePage>
  );
}
