/**
 * The checks every portal route makes, in this order (DESIGN §4.8, §10 "Portal forms", "Portal
 * visibility"): session (GET: 303 to login; POST: CSRF first, so a forged POST changes nothing
 * and learns nothing) → consent exists (404) → the person may act (403, a page that shows
 * nothing of the request) → the action (409 when the consent moved on meanwhile).
 */
import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../common/errors/domain-error.js';
import type { Lang } from '../common/i18n/languages.js';
import { ConsentsService } from '../consents/consents.service.js';
import type { ConsentRecord } from '../consents/consent.record.js';
import type { ConsentResourceView } from '../resources/consent-resource.view.js';
import { ConsentPresenterService } from './consent-presenter.service.js';
import { PortalAccessService, type PortalAction } from './portal-access.service.js';
import { form, query, seeOther } from './portal-http.js';
import { parseLang, STATUS_NOTICES } from './portal-i18n.js';
import { PortalPagesService } from './portal-pages.service.js';
import { PortalSessionsService, type PortalSession } from './portal-sessions.service.js';
import { loginUrl } from './portal-urls.js';

/** Transition refusals the consents service answers with (DESIGN §8): the request moved on. */
const STALE_CODES = new Set(['AM-00002', 'AM-00010', 'AM-00013', 'AM-00015']);

/** A logged-in person and the page options their answers are rendered with. */
export interface Visitor {
  personId: string;
  page: { lang: Lang; session: PortalSession | null; switchTo: string };
}

export const idParam = (req: FastifyRequest) => (req.params as { id: string }).id;

@Injectable()
export class PortalVisitsService {
  constructor(
    private readonly consents: ConsentsService,
    private readonly presenter: ConsentPresenterService,
    private readonly access: PortalAccessService,
    private readonly sessions: PortalSessionsService,
    private readonly pages: PortalPagesService,
  ) {}

  /** A consent the person may decide on, loaded with its template to render the text. */
  decidable(reply: FastifyReply, visitor: Visitor, id: string) {
    return this.permitted(reply, visitor, id, 'decide', (c) => this.presenter.load(c));
  }

  /** A consent whose party the person may act for (revoke, receipt). */
  async partyConsent(reply: FastifyReply, visitor: Visitor, id: string) {
    const found = await this.permitted(reply, visitor, id, 'act-for-party', async (c) => ({
      resources: await this.presenter.loadResources(c),
    }));
    return found?.consent ?? null;
  }

  /** A GET page's visitor; without a logged-in session, a 303 to the login page instead (null). */
  async pageVisitor(req: FastifyRequest, reply: FastifyReply): Promise<Visitor | null> {
    const lang = parseLang(query(req, 'lang'));
    const session = await this.sessions.read(req);
    if (!session?.personId) {
      seeOther(reply, loginUrl(req.url, lang));
      return null;
    }
    return { personId: session.personId, page: { lang, session, switchTo: req.url } };
  }

  /**
   * A form post's visitor: the CSRF field first (a forged post changes and learns nothing), then
   * the login. `back` is the page the form came from, for the language links and the login.
   */
  async formVisitor(
    req: FastifyRequest,
    reply: FastifyReply,
    back: (lang: Lang) => string,
  ): Promise<Visitor | null> {
    const lang = parseLang(form(req, 'lang'));
    const session = await this.sessions.read(req);
    const page = { lang, session, switchTo: back(lang) };
    if (!this.sessions.csrfValid(session, form(req, '_csrf'))) {
      this.pages.error(reply, 403, 'csrf', page);
      return null;
    }
    if (!session?.personId) {
      seeOther(reply, loginUrl(page.switchTo, lang));
      return null;
    }
    return { personId: session.personId, page };
  }

  /**
   * The consent, when the person may `action` on it; otherwise the 404 page, or the 403 page
   * that shows nothing of it (null). `load` fetches what the check and the route need.
   */
  async permitted<L extends { resources: ConsentResourceView[] }>(
    reply: FastifyReply,
    { personId, page }: Visitor,
    id: string,
    action: PortalAction,
    load: (consent: ConsentRecord) => Promise<L>,
  ): Promise<{ consent: ConsentRecord; loaded: L } | null> {
    const consent = await this.consents.findById(id);
    if (!consent) {
      this.pages.error(reply, 404, 'notFound', page);
      return null;
    }
    const loaded = await load(consent);
    const roles = await this.access.rolesOf(personId);
    if (!this.access.allowed(action, personId, consent, loaded.resources, roles)) {
      this.pages.error(reply, 403, 'forbidden', page);
      return null;
    }
    return { consent, loaded };
  }

  /**
   * Runs a decision, then a 303 to `then()`. When the consent moved on meanwhile (answered
   * elsewhere, expired, cancelled), a 409 page that says where it stands now.
   */
  async transition(
    reply: FastifyReply,
    { page }: Visitor,
    id: string,
    run: () => Promise<unknown>,
    then: () => string,
  ): Promise<void> {
    try {
      await run();
    } catch (err) {
      if (!(err instanceof DomainError && STALE_CODES.has(err.code))) throw err;
      const now = await this.consents.findById(id);
      const notice = now && now.status !== 'created' ? STATUS_NOTICES.in(page.lang)[now.status] : undefined;
      return this.pages.error(reply, 409, 'conflict', page, { notice });
    }
    seeOther(reply, then());
  }
}
