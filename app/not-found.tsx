import { ButtonLink, MessagePage } from "@/components/ui";

// The same page for a conversation that does not exist, belongs to another tenant, or has a malformed id.
export default function NotFound() {
  return (
    <MessagePage code="404" title="Page not found" message="There is nothing here, or it is not yours to see.">
      <ButtonLink href="/conversations">Back to conversations</ButtonLink>
    </MessagePage>
  );
}
