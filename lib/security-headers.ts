/**
 * The security headers of every answer. next.config.ts sets `baseSecurityHeaders` on every path (pages,
 * API answers, files), with a Content-Security-Policy that lets nothing run; middleware.ts replaces
 * that policy on pages with one that allows the page's own scripts by a nonce made per request.
 *
 * No imports: next.config.ts loads this file too.
 */

export interface Header {
  key: string;
  value: string;
}

/** The request header the root layout reads the nonce from (app/layout.tsx). */
export const nonceHeader = "x-nonce";

/** For answers that are not pages (JSON, CSV, files): nothing in them may run, load or be framed. */
export const lockedDownPolicy = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/**
 * Keys in lower case: Next keeps response headers in a plain object, so a middleware header replaces a
 * config header of the same name only when both are spelled alike (else the answer carries both policies).
 */
export function baseSecurityHeaders(production: boolean): Header[] {
  return [
    { key: "content-security-policy", value: lockedDownPolicy },
    { key: "x-content-type-options", value: "nosniff" },
    // The full address to this app only: invitation links carry their token in the path.
    { key: "referrer-policy", value: "same-origin" },
    { key: "permissions-policy", value: "camera=(), microphone=(), geolocation=(), payment=(), usb=()" },
    // For browsers without frame-ancestors.
    { key: "x-frame-options", value: "DENY" },
    { key: "cross-origin-opener-policy", value: "same-origin" },
    // Only in production: a browser that saw it on localhost would refuse plain http there for two years.
    ...(production ? [{ key: "strict-transport-security", value: "max-age=63072000; includeSubDomains" }] : []),
  ];
}

/** The CSP hash of the one inline style attribute a page may apply: `display:none`. */
export const hiddenStyleHash = "sha256-aqNNdDLnnrDOnTNdkJpYlAxKVJtLt9CtFLklmInuUAE=";

/**
 * A page's policy. Scripts: only those carrying this request's nonce (Next puts it on its own scripts
 * when it finds it in the request's policy) and what they load ('strict-dynamic'). Styles: the
 * stylesheet Tailwind builds; of inline `style` attributes only `display:none`, by its hash (our markup
 * has none, but React streams a part of an SVG that was not ready when the rest was sent in an
 * `<svg style="display:none">` until it moves it into place: a chart under load). `next dev` needs
 * eval (React's debugging) and inline styles (its error overlay).
 */
export function pagePolicy(nonce: string, development: boolean): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${development ? " 'unsafe-eval'" : ""}`,
    // A nonce in style-src would make browsers ignore 'unsafe-inline', so dev has none.
    `style-src 'self' ${development ? "'unsafe-inline'" : `'nonce-${nonce}'`}`,
    ...(development ? [] : [`style-src-attr 'unsafe-hashes' '${hiddenStyleHash}'`]),
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/** 128 random bits, base64: a fresh nonce for each page answer. */
export function newNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes));
}
