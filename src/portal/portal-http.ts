/**
 * Response helpers shared by the portal controllers: every page and redirect leaves with the
 * same security headers (DESIGN §4.8; brief: strict CSP, nosniff, no-referrer, no-store).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * No scripts at all, styles and fonts only from ourselves (Designsystemet, self-hosted), images
 * from ourselves plus `data:` (Designsystemet draws its alert and field icons as inline SVG data
 * in the stylesheet; an image can't run script), forms only to ourselves (plus, on the
 * request page, the consumer's redirect origin: Chrome applies form-action to the 303 that
 * follows a decision), never framed, no `<base>` tricks.
 */
export function contentSecurityPolicy(formActionExtra: string[] = []): string {
  const formAction = ["'self'", ...formActionExtra].join(' ');
  return [
    "default-src 'none'",
    "style-src 'self'",
    "font-src 'self'",
    "img-src 'self' data:",
    `form-action ${formAction}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');
}

function securityHeaders(reply: FastifyReply, formActionExtra: string[] = []): FastifyReply {
  return reply
    .header('content-security-policy', contentSecurityPolicy(formActionExtra))
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('cache-control', 'no-store')
    .header('x-frame-options', 'DENY')
    .header('cross-origin-opener-policy', reply.getHeader('cross-origin-opener-policy') ?? 'same-origin');
}

/**
 * The login step of the admin login (`returnTo` = `/authorize?…`) runs in the popup Swagger UI
 * opens, which must keep its `window.opener` to hand the code back: those responses leave
 * cross-origin isolation of the opener out (`same-origin` would sever it).
 */
export function keepOpenerFor(reply: FastifyReply, returnTo: string): void {
  if (returnTo.startsWith('/authorize?')) void reply.header('cross-origin-opener-policy', 'unsafe-none');
}

export function sendHtml(
  reply: FastifyReply,
  status: number,
  html: string,
  formActionExtra: string[] = [],
): void {
  void securityHeaders(reply, formActionExtra)
    .status(status)
    .header('content-type', 'text/html; charset=utf-8')
    .send(html);
}

/** 303 See Other: after a POST the browser follows with a GET (DESIGN §10 "Portal forms"). */
export function seeOther(reply: FastifyReply, location: string): void {
  void securityHeaders(reply).status(303).header('location', location).send();
}

/** A query or form field as one string (repeated or missing fields read as undefined). */
export function field(source: unknown, name: string): string | undefined {
  if (!source || typeof source !== 'object') return undefined;
  const v = (source as Record<string, unknown>)[name];
  return typeof v === 'string' ? v : undefined;
}

export const query = (req: FastifyRequest, name: string) => field(req.query, name);
export const form = (req: FastifyRequest, name: string) => field(req.body, name);
