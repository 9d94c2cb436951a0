import { NextResponse, type NextRequest } from "next/server";
import { newNonce, nonceHeader, pagePolicy } from "@/lib/security-headers";

/**
 * For middleware.ts: a fresh nonce and the page policy for this request. `apply` puts the policy on the
 * answer, and, when the request goes on to be rendered, on the request as well: Next reads the nonce
 * from the request's policy and gives it to its own scripts; the layout reads it from `x-nonce`.
 */
export function securityHeaders(request: NextRequest) {
  const nonce = newNonce();
  const policy = pagePolicy(nonce, process.env.NODE_ENV === "development");
  return {
    nonce,
    apply(response: Response): Response {
      let answer = response;
      if (response.headers.has("x-middleware-next")) {
        const requestHeaders = new Headers(request.headers);
        requestHeaders.set("content-security-policy", policy);
        requestHeaders.set(nonceHeader, nonce);
        answer = NextResponse.next({ headers: response.headers, request: { headers: requestHeaders } });
      }
      answer.headers.set("content-security-policy", policy);
      return answer;
    },
  };
}
