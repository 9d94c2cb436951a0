import "next-auth";
import "next-auth/jwt";

declare module "next-auth" {
  interface User {
    activeTenantId?: string;
    /** The server-side session row (app_private.sessions) opened at sign-in. */
    sessionId?: string;
  }
  interface Session {
    /** The tenant the session works in; its membership is re-checked against the database on every request. */
    activeTenantId?: string;
  }
}

declare module "next-auth/jwt" {
  interface JWT {
    userId?: string;
    activeTenantId?: string;
    /** The server-side session row: deleting it ends this session wherever the cookie was copied. */
    sessionId?: string;
  }
}
