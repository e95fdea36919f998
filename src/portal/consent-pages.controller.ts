/**
 * End-user consent pages (DESIGN §4.8, §10 "Portal forms", "Portal visibility"): plain HTML,
 * plain `<form method="post">` with a `_csrf` field, no JavaScript.
 *
 * Order of checks on every route: session (GET: 303 to login; POST: CSRF first, so a forged
 * POST changes nothing and learns nothing) → consent exists (404) → the person may act (403,
 * a page that shows nothing of the request) → the action.
 */
import { applyDecorators, Controller, Get, Post, Req, Res, UseFilters } from '@nestjs/common';
import {
  ApiBody,
  ApiConsumes,
  ApiExcludeEndpoint,
  ApiOperation,
  ApiParam,
  ApiProduces,
  ApiQuery,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../common/auth/auth.decorators.js';
import { DomainError } from '../common/errors/domain-error.js';
import { orgUrn, personUrn } from '../common/identifiers/party-urn.js';
import { ConsentsService } from '../consents/consents.service.js';
import type { ConsentRecord, ConsentStatus } from '../consents/consent.record.js';
import type { ConsentResourceView } from '../resources/consent-resource.view.js';
import { formatDateTime, LANGS, LANGUAGE_NAMES, type Lang } from '../common/i18n/languages.js';
import { ConsentPresenterService, formatPartyNumber } from './consent-presenter.service.js';
import { PortalActionFormDto } from './dto/portal-forms.dto.js';
import { PortalAccessService, type PortalAction } from './portal-access.service.js';
import { form, query, seeOther } from './portal-http.js';
import { parseLang, STATUS_NAMES, STATUS_NOTICES, UI } from './portal-i18n.js';
import { PortalErrorFilter } from './portal-error.filter.js';
import { PortalPagesService } from './portal-pages.service.js';
import { PortalSessionsService, type PortalSession } from './portal-sessions.service.js';
import { decisionRedirect, formActionSource, loginUrl } from './portal-urls.js';
import { PortalViews } from './portal-views.js';

/** Transition refusals the consents service answers with (DESIGN §8): the request moved on. */
const STALE_CODES = new Set(['AM-00002', 'AM-00010', 'AM-00013', 'AM-00015']);
/** Statuses whose consent was once accepted, so a receipt exists. */
const HAD_RECEIPT: ReadonlySet<ConsentStatus> = new Set(['accepted', 'revoked', 'used', 'expired']);

const requestPath = (id: string, lang: Lang) => `/consent/request?id=${encodeURIComponent(id)}&lang=${lang}`;
const receiptPath = (id: string, lang: Lang) => `/consent/receipt/${encodeURIComponent(id)}?lang=${lang}`;
const idParam = (req: FastifyRequest) => (req.params as { id: string }).id;

/** A logged-in person and the page options their answers are rendered with. */
interface Visitor {
  personId: string;
  page: { lang: Lang; session: PortalSession | null; switchTo: string };
}

/** An HTML page behind the portal login. The route documents its 200 itself (see below). */
function HtmlPage(summary: string): MethodDecorator {
  return applyDecorators(
    ApiOperation({ summary }),
    ApiQuery({ name: 'lang', required: false, enum: [...LANGS] }),
    ApiProduces('text/html'),
    ApiResponse({ status: 303, description: 'Not logged in: to `/login?returnTo=…`' }),
  );
}

/**
 * A `<form method="post">` action on one consent. The route documents its 303 itself: the
 * Swagger plugin adds a guessed 201 to a POST it sees no success or redirect answer on.
 */
function FormAction(summary: string, refusals: { forbidden: string; conflict: string }): MethodDecorator {
  return applyDecorators(
    ApiOperation({ summary }),
    ApiParam({ name: 'id' }),
    ApiConsumes('application/x-www-form-urlencoded'),
    ApiBody({ type: PortalActionFormDto }),
    ApiResponse({ status: 403, description: refusals.forbidden }),
    ApiResponse({ status: 409, description: refusals.conflict }),
  );
}

@ApiTags('portal (HTML)')
@Public()
@UseFilters(PortalErrorFilter)
@Controller('consent')
export class ConsentPagesController {
  constructor(
    private readonly consents: ConsentsService,
    private readonly presenter: ConsentPresenterService,
    private readonly access: PortalAccessService,
    private readonly sessions: PortalSessionsService,
    private readonly pages: PortalPagesService,
    private readonly views: PortalViews,
  ) {}

  @Get('assets/portal.css')
  @ApiExcludeEndpoint()
  stylesheet(@Res() reply: FastifyReply): void {
    void reply
      .header('content-type', 'text/css; charset=utf-8')
      .header('cache-control', 'public, max-age=3600')
      .header('x-content-type-options', 'nosniff')
      .send(this.views.stylesheet);
  }

  // ───────────── the request ─────────────

  @Get('request')
  @ApiQuery({ name: 'id', description: 'Consent request id (from `viewUri`)' })
  @HtmlPage('The consent request page (HTML): the text to consent to, with accept and reject buttons')
  @ApiResponse({ status: 200, description: 'The request, rendered from its template and resource versions' })
  @ApiResponse({
    status: 403,
    description: 'The person may not decide on this request (nothing of it is shown)',
  })
  @ApiResponse({ status: 404, description: 'No such request' })
  async requestPage(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const visitor = await this.pageVisitor(req, reply);
    const found = visitor && (await this.decidable(reply, visitor, query(req, 'id') ?? ''));
    if (!visitor || !found) return;
    const { consent, loaded } = found;
    const { lang } = visitor.page;

    const model = await this.presenter.build(consent, loaded, lang);
    const notice = consent.status === 'created' ? null : STATUS_NOTICES.in(lang)[consent.status];
    const redirectSource = formActionSource(consent.redirectUrl);
    this.pages.send(
      reply,
      200,
      'request.njk',
      { ...visitor.page, title: model.title, formAction: redirectSource ? [redirectSource] : [] },
      {
        id: consent.id,
        consentHtml: this.presenter.renderHtml(model),
        notice,
        receiptHref:
          consent.consented && HAD_RECEIPT.has(consent.status) ? receiptPath(consent.id, lang) : null,
      },
    );
  }

  @Post('request/:id/accept')
  @FormAction('Accept (HTML form): stores the receipt, then 303 to `redirectUrl` with `Status=OK`', {
    forbidden: 'Missing or wrong `_csrf`, or the person may not decide; nothing changed',
    conflict: 'The request is no longer open (expired, cancelled, answered); nothing changed',
  })
  @ApiResponse({ status: 303, description: 'Accepted (or already accepted by this person): to the consumer' })
  async accept(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    await this.decide(req, reply, true);
  }

  @Post('request/:id/reject')
  @FormAction('Reject (HTML form): 303 to `redirectUrl` with `Status=Failed&ErrorMessage=…`', {
    forbidden: 'Missing or wrong `_csrf`, or the person may not decide; nothing changed',
    conflict: 'The request is no longer open; nothing changed',
  })
  @ApiResponse({ status: 303, description: 'Rejected: to the consumer' })
  async reject(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    await this.decide(req, reply, false);
  }

  private async decide(req: FastifyRequest, reply: FastifyReply, accept: boolean): Promise<void> {
    const id = idParam(req);
    const visitor = await this.formVisitor(req, reply, (lang) => requestPath(id, lang));
    const found = visitor && (await this.decidable(reply, visitor, id));
    if (!visitor || !found) return;
    const { consent, loaded } = found;
    const { personId, page } = visitor;

    const decision = async () => {
      if (!accept) return this.consents.reject(consent.id, { personId });
      // Rendered again from the same versions and language: exactly the text the page showed.
      const model = await this.presenter.build(consent, loaded, page.lang);
      const receipt = {
        language: page.lang,
        html: this.presenter.renderHtml(model),
        text: this.presenter.receiptText(model),
      };
      return this.consents.accept(consent.id, { personId }, receipt);
    };
    await this.transition(reply, visitor, consent.id, decision, () =>
      decisionRedirect(consent.redirectUrl, accept),
    );
  }

  // ───────────── the person's consents ─────────────

  @Get('active')
  @HtmlPage('The person’s consents (HTML): active ones with receipt and revoke, pending, earlier')
  @ApiResponse({ status: 200, description: 'Consents given by the person or for organisations they act for' })
  async activePage(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const visitor = await this.pageVisitor(req, reply);
    if (!visitor) return;
    const { personId, page } = visitor;
    const { lang } = page;

    const roles = await this.access.rolesOf(personId);
    const parties = [personUrn(personId), ...[...roles.keys()].map((org) => orgUrn(org))];
    const consents = await this.consents.listForParties(parties);
    const names = new Map<string, string | null>();
    const active: unknown[] = [];
    const pending: unknown[] = [];
    const earlier: unknown[] = [];
    for (const consent of consents) {
      const resources = await this.presenter.loadResources(consent).catch(() => null);
      if (!resources) continue;
      if (!this.access.allowed('act-for-party', personId, consent, resources, roles)) continue;
      if (consent.status === 'created' && !this.access.allowed('decide', personId, consent, resources, roles))
        continue;
      const item = await this.listItem(consent, resources, lang, names);
      if (consent.status === 'accepted') active.push(item);
      else if (consent.status === 'created') pending.push(item);
      else earlier.push(item);
    }
    this.pages.send(
      reply,
      200,
      'active.njk',
      { ...page, title: UI.in(lang).activeTitle },
      { active, pending, earlier, revoked: query(req, 'revoked') === '1' },
    );
  }

  private async listItem(
    consent: ConsentRecord,
    resources: Awaited<ReturnType<ConsentPresenterService['loadResources']>>,
    lang: Lang,
    names: Map<string, string | null>,
  ) {
    const [coveredBy, offeredBy] = await Promise.all([
      this.presenter.partyLabel(consent.to, lang, names),
      this.presenter.partyLabel(consent.from, lang, names),
    ]);
    return {
      id: consent.id,
      titles: resources.map((r) => r.title[lang] || r.title.nb || r.identifier).join(', '),
      coveredBy: coveredBy.full,
      offeredBy: offeredBy.full,
      consented: consent.consented ? formatDateTime(consent.consented, lang) : null,
      validTo: formatDateTime(consent.validTo, lang),
      isOneTime: consent.isOneTime,
      status: consent.status,
      statusName: STATUS_NAMES.in(lang)[consent.status],
      receiptHref:
        consent.consented && HAD_RECEIPT.has(consent.status) ? receiptPath(consent.id, lang) : null,
      requestHref: requestPath(consent.id, lang),
    };
  }

  @Post(':id/revoke')
  @FormAction('Revoke an accepted consent (HTML form), then 303 to `/consent/active`', {
    forbidden: 'Missing or wrong `_csrf`, or the person may not act for the party; nothing changed',
    conflict: 'The consent is not active; nothing changed',
  })
  @ApiResponse({ status: 303, description: 'Revoked (or already revoked): back to the list' })
  async revoke(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const visitor = await this.formVisitor(req, reply, () => '/consent/active');
    const consent = visitor && (await this.partyConsent(reply, visitor, idParam(req)));
    if (!visitor || !consent) return;
    const { personId, page } = visitor;
    await this.transition(
      reply,
      visitor,
      consent.id,
      () => this.consents.revoke(consent.id, { personId }),
      () => `/consent/active?lang=${page.lang}&revoked=1`,
    );
  }

  @Get('receipt/:id')
  @ApiParam({ name: 'id' })
  @HtmlPage(
    'The receipt of an accepted consent (HTML): the exact text shown, language, versions, time, actor',
  )
  @ApiResponse({ status: 200, description: 'The stored receipt' })
  @ApiResponse({ status: 403, description: 'The person may not act for the consent’s party' })
  @ApiResponse({ status: 404, description: 'No such consent, or it was never accepted' })
  async receiptPage(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const visitor = await this.pageVisitor(req, reply);
    const consent = visitor && (await this.partyConsent(reply, visitor, idParam(req)));
    if (!visitor || !consent) return;
    const { page } = visitor;
    const { lang } = page;
    const receipt = await this.consents.getReceipt(consent.id);
    if (!receipt) return this.pages.error(reply, 404, 'notFound', page);

    const receiptLang = parseLang(receipt.language);
    this.pages.send(
      reply,
      200,
      'receipt.njk',
      { ...page, title: UI.in(lang).receiptTitle },
      {
        status: consent.status,
        statusName: STATUS_NAMES.in(lang)[consent.status],
        acceptedAt: formatDateTime(receipt.acceptedAt, lang),
        acceptedBy: formatPartyNumber(receipt.acceptedBy.replace(/^urn:altinn:person:identifier-no:/, '')),
        receiptLanguage: LANGUAGE_NAMES[receiptLang],
        receiptLang,
        templateId: receipt.templateId,
        templateVersion: receipt.templateVersion,
        resourceVersions: Object.entries(receipt.resourceVersions).map(([identifier, versionId]) => ({
          identifier,
          versionId,
        })),
        // Our own rendering, stored at accept (consumer values inside it were escaped then).
        receiptHtml: receipt.html,
      },
    );
  }

  // ───────────── the checks every route makes, in this order ─────────────

  /** A consent the person may decide on, loaded with its template to render the text. */
  private decidable(reply: FastifyReply, visitor: Visitor, id: string) {
    return this.permitted(reply, visitor, id, 'decide', (c) => this.presenter.load(c));
  }

  /** A consent whose party the person may act for (revoke, receipt). */
  private async partyConsent(reply: FastifyReply, visitor: Visitor, id: string) {
    const found = await this.permitted(reply, visitor, id, 'act-for-party', async (c) => ({
      resources: await this.presenter.loadResources(c),
    }));
    return found?.consent ?? null;
  }

  /** A GET page's visitor; without a logged-in session, a 303 to the login page instead (null). */
  private async pageVisitor(req: FastifyRequest, reply: FastifyReply): Promise<Visitor | null> {
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
  private async formVisitor(
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
  private async permitted<L extends { resources: ConsentResourceView[] }>(
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
  private async transition(
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
