-- Functions are executable by PUBLIC unless revoked. The search triggers' functions run as triggers
-- (firing needs no EXECUTE grant); nobody needs to call them directly. app_private is not usable by the
-- app roles anyway; this keeps every app_private function owner-only, as the others are.
REVOKE ALL ON FUNCTION app_private.conversations_build_search() FROM PUBLIC;--> statement-breakpoint
REVOKE ALL ON FUNCTION app_private.conversation_turns_refresh_search() FROM PUBLIC;
