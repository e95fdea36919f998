/**
 * The admin login's HTML: its templates in `admin-login/views/` on the common renderer, with the
 * portal's stylesheet and the same security headers as the portal (no scripts at all, forms
 * only to ourselves, never framed, nothing cached, no referrer).
 */
import { Injectable } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { Lang } from '../common/i18n/languages.js';
import { viewsDirBeside, ViewRenderer } from '../common/templating/view-renderer.js';
import { ADMIN_TEXTS, type AdminTexts } from './admin-login-texts.js';

const CSP = [
  "default-src 'none'",
  "style-src 'self'",
  "img-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

export function secure(reply: FastifyReply, formAction?: string): FastifyReply {
  return (
    reply
      .header(
        'content-security-policy',
        formAction ? CSP.replace("form-action 'self'", `form-action 'self' ${formAction}`) : CSP,
      )
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .header('cache-control', 'no-store')
      .header('pragma', 'no-cache')
      // No cross-origin-opener-policy: these pages run in the popup Swagger UI opens, and the
      // redirect back must still reach window.opener. Framing is refused instead (above).
      .header('x-frame-options', 'DENY')
  );
}

/** 303 to `location` (after a POST the browser follows with a GET). */
export function seeOther(reply: FastifyReply, location: string): void {
  void secure(reply).status(303).header('location', location).send();
}

/** `974761076` → `974 761 076`, as organisation numbers are written. */
export function formatOrgNumber(n: string): string {
  return n.replace(/^(\d{3})(\d{3})(\d{3})$/, '$1 $2 $3');
}

/** `01018512345` → `010185 12345`. */
export function formatPersonNumber(n: string): string {
  return n.replace(/^(\d{6})(\d{5})$/, '$1 $2');
}

export type MessageKind = 'noRole' | 'notAdmin' | 'badLink' | 'csrf';

@Injectable()
export class AdminLoginPages {
  private readonly renderer = new ViewRenderer(viewsDirBeside(import.meta.url));

  send(
    reply: FastifyReply,
    status: number,
    template: string,
    lang: Lang,
    context: Record<string, unknown> & { heading: string },
    formAction?: string,
  ): void {
    const html = this.renderer.render(template, { ...context, lang, t: ADMIN_TEXTS.in(lang) });
    void secure(reply, formAction)
      .status(status)
      .header('content-type', 'text/html; charset=utf-8')
      .send(html);
  }

  message(
    reply: FastifyReply,
    status: number,
    kind: MessageKind,
    lang: Lang,
    extra: { user?: string; loginHref?: string } = {},
  ): void {
    const t: AdminTexts = ADMIN_TEXTS.in(lang);
    this.send(reply, status, 'message.njk', lang, {
      heading: t[`${kind}Title`],
      text: t[`${kind}Text`],
      ...extra,
    });
  }
}
