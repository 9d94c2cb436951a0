import type { Account, Profile } from "next-auth";

/**
 * The email address an OAuth provider vouches for, or null. OAuth sign-ins are linked to accounts by
 * email (app.external_sign_in), so an address the provider has not verified must never count.
 * Google says so in the ID token (`email_verified`); GitHub lists the account's addresses with a
 * `verified` flag at /user/emails (the profile's public email is not necessarily verified).
 */
export async function verifiedProviderEmail(account: Account, profile: Profile | undefined): Promise<string | null> {
  if (account.provider === "google") {
    return profile?.email_verified === true && typeof profile.email === "string" ? profile.email.toLowerCase() : null;
  }
  if (account.provider === "github" && account.access_token) {
    const response = await fetch("https://api.github.com/user/emails", {
      headers: {
        Authorization: `Bearer ${account.access_token}`,
        Accept: "application/vnd.github+json",
        "User-Agent": "rls-starter",
      },
    });
    if (!response.ok) return null;
    const emails = (await response.json()) as { email: string; primary: boolean; verified: boolean }[];
    const primary = emails.find((e) => e.primary && e.verified);
    return primary ? primary.email.toLowerCase() : null;
  }
  return null;
}
