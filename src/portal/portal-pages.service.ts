/**
 * Page chrome shared by every portal page: language switcher, who is logged in, the logout
 * form, and the standard error pages (403, 404, expired form, conflict, failure).
 */
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { CHROME, fill } from './portal-chrome-i18n.js';
import type { FastifyReply } from 'fastify';
import { formatPartyNumber } from './consent-presenter.service.js';
import { LANGS, LANGUAGE_NAMES, type Lang } from '../common/i18n/languages.js';
import { UI, type UiStrings } from './portal-i18n.js';
import { sendHtml } from './portal-http.js';
import type { PortalSession } from './portal-sessions.service.js';
import { PortalViews } from './portal-views.js';

export interface PageOptions {
  lang: Lang;
  session: PortalSession | null;
  /** `<title>` (the site name is appended). */
  title: string;
  /**
   * The GET address the language links point to, with `lang` replaced. Pages answering a POST
   * pass the page the form came from (a link cannot repeat a POST).
   */
  switchTo: string;
  /** Extra CSP form-action sources (the request page: the consumer's redirect origin). */
  formAction?: string[];
}

export type ErrorKind =
  'forbidden' | 'notFound' | 'csrf' | 'conflict' | 'error' | 'loginFailed' | 'loginUnavailable';

const ERROR_TEXTS: Record<ErrorKind, (t: UiStrings) => { title: string; text: string }> = {
  forbidden: (t) => ({ title: t.forbiddenTitle, text: t.forbiddenText }),
  notFound: (t) => ({ title: t.notFoundTitle, text: t.notFoundText }),
  csrf: (t) => ({ title: t.csrfTitle, text: t.csrfText }),
  conflict: (t) => ({ title: t.conflictTitle, text: t.conflictText }),
  error: (t) => ({ title: t.errorTitle, text: t.errorText }),
  loginFailed: (t) => ({ title: t.loginFailedTitle, text: t.loginFailedText }),
  loginUnavailable: (t) => ({ title: t.notFoundTitle, text: t.loginUnavailable }),
};

function withLang(target: string, lang: Lang): string {
  const u = new URL(target, 'http://portal.invalid');
  u.searchParams.set('lang', lang);
  return u.pathname + u.search;
}

@Injectable()
export class PortalPagesService {
  constructor(
    private readonly views: PortalViews,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Who runs the service and where its statements are, for the header and footer. */
  operator(lang: Lang) {
    const p = this.config.portal;
    const c = CHROME.in(lang);
    const name = p.operatorName ?? null;
    return {
      name,
      url: p.operatorUrl ?? null,
      logo: p.logoFile ? '/consent/assets/logo' : null,
      contactEmail: p.contactEmail ?? null,
      contactUrl: p.contactUrl ?? null,
      contactHref: withLang('/consent/contact', lang),
      privacyHref: p.privacyUrl ?? withLang('/consent/privacy', lang),
      accessibilityHref: p.accessibilityUrl ?? withLang('/consent/accessibility', lang),
      /** The operator as a sentence names it. */
      inText: name ?? c.defaultOperator,
      contactText: fill(c.contactText, { operator: name ?? c.defaultOperator }),
    };
  }

  render(template: string, o: PageOptions, context: Record<string, unknown> = {}): string {
    const t = UI.in(o.lang);
    return this.views.render(template, {
      ...context,
      lang: o.lang,
      t,
      ch: CHROME.in(o.lang),
      operator: this.operator(o.lang),
      pageTitle: o.title,
      languages: LANGS.map((code) => ({
        code,
        name: LANGUAGE_NAMES[code],
        href: withLang(o.switchTo, code),
        current: code === o.lang,
      })),
      user: o.session?.personId ? { label: formatPartyNumber(o.session.personId) } : null,
      csrf: o.session?.csrfToken ?? '',
      homeHref: withLang('/consent/active', o.lang),
    });
  }

  send(
    reply: FastifyReply,
    status: number,
    template: string,
    o: PageOptions,
    context: Record<string, unknown> = {},
  ): void {
    sendHtml(reply, status, this.render(template, o, context), o.formAction);
  }

  /** A standard error page; it never shows anything about the consent it refused. */
  error(
    reply: FastifyReply,
    status: number,
    kind: ErrorKind,
    o: Omit<PageOptions, 'title'>,
    extra: { notice?: string; loginHref?: string } = {},
  ): void {
    const { title, text } = ERROR_TEXTS[kind](UI.in(o.lang));
    this.send(reply, status, 'error.njk', { ...o, title }, { heading: title, text, ...extra });
  }
}
