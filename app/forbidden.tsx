import { ButtonLink, MessagePage } from "@/components/ui";

// forbidden() from a page or action: a signed-in member whose role does not allow this page.
export default function Forbidden() {
  return (
    <MessagePage
      code="403"
      title="Not allowed"
      message="Your role in this workspace does not include this page. An owner or admin can change your role."
    >
      <ButtonLink href="/conversations">Back to conversations</ButtonLink>
    </MessagePage>
  );
}
