/**
 * End-user consent pages (DESIGN §4.8, §10 "Portal forms", "Portal visibility"): plain HTML,
 * plain `<form method="post">` with a `_csrf` field, no JavaScript.
 *
 * Order of checks on every route: session (GET: 303 to login; POST: CSRF first, so a forged
 * POST changes nothing and learns nothing) → consent exists (404) → the person may act (403,
 * a page that shows nothing of the request) → the action.
 */
import { Controller, Get, Post, Req, Res, UseFilters } from '@nestjs/common';
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
import { ConsentPresenter, formatPartyNumber } from './consent-presenter.service.js';
import { PortalActionFormDto } from './dto/portal-forms.dto.js';
import { PortalAccessService } from './portal-access.service.js';
import { form, query, seeOther } from './portal-http.js';
import {
  formatDateTime,
  LANGUAGE_NAMES,
  parseLang,
  STATUS_NAMES,
  STATUS_NOTICES,
  UI,
  type Lang,
} from './portal-i18n.js';
import { PortalErrorFilter } from './portal-error.filter.js';
import { PortalPages } from './portal-pages.service.js';
import { PortalSessionsService, type PortalSession } from './portal-sessions.service.js';
import { decisionRedirect, formActionSource, loginUrl } from './portal-urls.js';
import { PortalViews } from './portal-views.js';

/** Transition refusals the consents service answers with (DESIGN §8): the request moved on. */
const STALE_CODES = new Set(['AM-00002', 'AM-00010', 'AM-00013', 'AM-00015']);
/** Statuses whose consent was once accepted, so a receipt exists. */
const HAD_RECEIPT: ReadonlySet<ConsentStatus> = new Set(['accepted', 'revoked', 'used', 'expired']);

const requestPath = (id: string, lang: Lang) => `/consent/request?id=${encodeURIComponent(id)}&lang=${lang}`;
const receiptPath = (id: string, lang: Lang) => `/consent/receipt/${encodeURIComponent(id)}?lang=${lang}`;

@ApiTags('portal (HTML)')
@Public()
@UseFilters(PortalErrorFilter)
@Controller('consent')
export class ConsentPagesController {
  constructor(
    private readonly consents: ConsentsService,
    private readonly presenter: ConsentPresenter,
    private readonly access: PortalAccessService,
    private readonly sessions: PortalSessionsService,
    private readonly pages: PortalPages,
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
  @ApiOperation({
    summary: 'The consent request page (HTML): the text to consent to, with accept and reject buttons',
  })
  @ApiQuery({ name: 'id', description: 'Consent request id (from `viewUri`)' })
  @ApiQuery({ name: 'lang', required: false, enum: ['nb', 'nn', 'en'] })
  @ApiProduces('text/html')
  @ApiResponse({ status: 200, description: 'The request, rendered from its template and resource versions' })
  @ApiResponse({ status: 303, description: 'Not logged in: to `/login?returnTo=…`' })
  @ApiResponse({
    status: 403,
    description: 'The person may not decide on this request (nothing of it is shown)',
  })
  @ApiResponse({ status: 404, description: 'No such request' })
  async requestPage(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const lang = parseLang(query(req, 'lang'));
    const id = query(req, 'id') ?? '';
    const session = await this.sessions.read(req);
    if (!session?.personId) return seeOther(reply, loginUrl(req.url, lang));
    const page = { lang, session, switchTo: req.url };

    const consent = await this.consents.findById(id);
    if (!consent) return this.pages.error(reply, 404, 'notFound', page);
    const loaded = await this.presenter.load(consent);
    const roles = await this.access.rolesOf(session.personId);
    if (!this.access.allowed('decide', session.personId, consent, loaded.resources, roles))
      return this.pages.error(reply, 403, 'forbidden', page);

    const model = await this.presenter.build(consent, loaded, lang);
    const notice = consent.status === 'created' ? null : STATUS_NOTICES[lang][consent.status];
    const redirectSource = formActionSource(consent.redirectUrl);
    this.pages.send(
      reply,
      200,
      'request.njk',
      { ...page, title: model.title, formAction: redirectSource ? [redirectSource] : [] },
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
  @ApiOperation({
    summary: 'Accept (HTML form): stores the receipt, then 303 to `redirectUrl` with `Status=OK`',
  })
  @ApiParam({ name: 'id' })
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiBody({ type: PortalActionFormDto })
  @ApiResponse({ status: 303, description: 'Accepted (or already accepted by this person): to the consumer' })
  @ApiResponse({
    status: 403,
    description: 'Missing or wrong `_csrf`, or the person may not decide; nothing changed',
  })
  @ApiResponse({
    status: 409,
    description: 'The request is no longer open (expired, cancelled, answered); nothing changed',
  })
  async accept(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    await this.decide(req, reply, true);
  }

  @Post('request/:id/reject')
  @ApiOperation({ summary: 'Reject (HTML form): 303 to `redirectUrl` with `Status=Failed&ErrorMessage=…`' })
  @ApiParam({ name: 'id' })
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiBody({ type: PortalActionFormDto })
  @ApiResponse({ status: 303, description: 'Rejected: to the consumer' })
  @ApiResponse({
    status: 403,
    description: 'Missing or wrong `_csrf`, or the person may not decide; nothing changed',
  })
  @ApiResponse({ status: 409, description: 'The request is no longer open; nothing changed' })
  async reject(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    await this.decide(req, reply, false);
  }

  private async decide(req: FastifyRequest, reply: FastifyReply, accept: boolean): Promise<void> {
    const id = (req.params as { id: string }).id;
    const lang = parseLang(form(req, 'lang'));
    const session = await this.sessions.read(req);
    const page = { lang, session, switchTo: requestPath(id, lang) };
    if (!this.sessions.csrfValid(session, form(req, '_csrf')))
      return this.pages.error(reply, 403, 'csrf', page);
    if (!session?.personId) return seeOther(reply, loginUrl(requestPath(id, lang), lang));

    const consent = await this.consents.findById(id);
    if (!consent) return this.pages.error(reply, 404, 'notFound', page);
    const loaded = await this.presenter.load(consent);
    const roles = await this.access.rolesOf(session.personId);
    if (!this.access.allowed('decide', session.personId, consent, loaded.resources, roles))
      return this.pages.error(reply, 403, 'forbidden', page);

    try {
      if (accept) {
        // Rendered again from the same versions and language: exactly the text the page showed.
        const model = await this.presenter.build(consent, loaded, lang);
        await this.consents.accept(
          consent.id,
          { personId: session.personId },
          { language: lang, html: this.presenter.renderHtml(model), text: this.presenter.receiptText(model) },
        );
      } else {
        await this.consents.reject(consent.id, { personId: session.personId });
      }
    } catch (err) {
      if (err instanceof DomainError && STALE_CODES.has(err.code)) return this.stale(reply, page, consent.id);
      throw err;
    }
    seeOther(reply, decisionRedirect(consent.redirectUrl, accept));
  }

  /** 409: the request moved on (answered elsewhere, expired, cancelled); say where it stands now. */
  private async stale(
    reply: FastifyReply,
    page: { lang: Lang; session: PortalSession | null; switchTo: string },
    id: string,
  ) {
    const now = await this.consents.findById(id);
    const notice = now && now.status !== 'created' ? STATUS_NOTICES[page.lang][now.status] : undefined;
    this.pages.error(reply, 409, 'conflict', page, { notice });
  }

  // ───────────── the person's consents ─────────────

  @Get('active')
  @ApiOperation({
    summary: 'The person’s consents (HTML): active ones with receipt and revoke, pending, earlier',
  })
  @ApiQuery({ name: 'lang', required: false, enum: ['nb', 'nn', 'en'] })
  @ApiProduces('text/html')
  @ApiResponse({ status: 200, description: 'Consents given by the person or for organisations they act for' })
  @ApiResponse({ status: 303, description: 'Not logged in: to `/login?returnTo=…`' })
  async activePage(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const lang = parseLang(query(req, 'lang'));
    const session = await this.sessions.read(req);
    if (!session?.personId) return seeOther(reply, loginUrl(req.url, lang));
    const personId = session.personId;

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
      { lang, session, switchTo: req.url, title: UI[lang].activeTitle },
      { active, pending, earlier, revoked: query(req, 'revoked') === '1' },
    );
  }

  private async listItem(
    consent: ConsentRecord,
    resources: Awaited<ReturnType<ConsentPresenter['loadResources']>>,
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
      statusName: STATUS_NAMES[lang][consent.status],
      receiptHref:
        consent.consented && HAD_RECEIPT.has(consent.status) ? receiptPath(consent.id, lang) : null,
      requestHref: requestPath(consent.id, lang),
    };
  }

  @Post(':id/revoke')
  @ApiOperation({ summary: 'Revoke an accepted consent (HTML form), then 303 to `/consent/active`' })
  @ApiParam({ name: 'id' })
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiBody({ type: PortalActionFormDto })
  @ApiResponse({ status: 303, description: 'Revoked (or already revoked): back to the list' })
  @ApiResponse({
    status: 403,
    description: 'Missing or wrong `_csrf`, or the person may not act for the party; nothing changed',
  })
  @ApiResponse({ status: 409, description: 'The consent is not active; nothing changed' })
  async revoke(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const id = (req.params as { id: string }).id;
    const lang = parseLang(form(req, 'lang'));
    const session = await this.sessions.read(req);
    const page = { lang, session, switchTo: '/consent/active' };
    if (!this.sessions.csrfValid(session, form(req, '_csrf')))
      return this.pages.error(reply, 403, 'csrf', page);
    if (!session?.personId) return seeOther(reply, loginUrl('/consent/active', lang));

    const consent = await this.consents.findById(id);
    if (!consent) return this.pages.error(reply, 404, 'notFound', page);
    const resources = await this.presenter.loadResources(consent);
    const roles = await this.access.rolesOf(session.personId);
    if (!this.access.allowed('act-for-party', session.personId, consent, resources, roles))
      return this.pages.error(reply, 403, 'forbidden', page);
    try {
      await this.consents.revoke(consent.id, { personId: session.personId });
    } catch (err) {
      if (err instanceof DomainError && STALE_CODES.has(err.code)) return this.stale(reply, page, consent.id);
      throw err;
    }
    seeOther(reply, `/consent/active?lang=${lang}&revoked=1`);
  }

  @Get('receipt/:id')
  @ApiOperation({
    summary:
      'The receipt of an accepted consent (HTML): the exact text shown, language, versions, time, actor',
  })
  @ApiParam({ name: 'id' })
  @ApiQuery({ name: 'lang', required: false, enum: ['nb', 'nn', 'en'] })
  @ApiProduces('text/html')
  @ApiResponse({ status: 200, description: 'The stored receipt' })
  @ApiResponse({ status: 303, description: 'Not logged in: to `/login?returnTo=…`' })
  @ApiResponse({ status: 403, description: 'The person may not act for the consent’s party' })
  @ApiResponse({ status: 404, description: 'No such consent, or it was never accepted' })
  async receiptPage(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const id = (req.params as { id: string }).id;
    const lang = parseLang(query(req, 'lang'));
    const session = await this.sessions.read(req);
    if (!session?.personId) return seeOther(reply, loginUrl(req.url, lang));
    const page = { lang, session, switchTo: req.url };

    const consent = await this.consents.findById(id);
    if (!consent) return this.pages.error(reply, 404, 'notFound', page);
    const resources = await this.presenter.loadResources(consent);
    const roles = await this.access.rolesOf(session.personId);
    if (!this.access.allowed('act-for-party', session.personId, consent, resources, roles))
      return this.pages.error(reply, 403, 'forbidden', page);
    const receipt = await this.consents.getReceipt(consent.id);
    if (!receipt) return this.pages.error(reply, 404, 'notFound', page);

    const receiptLang = parseLang(receipt.language);
    this.pages.send(
      reply,
      200,
      'receipt.njk',
      { ...page, title: UI[lang].receiptTitle },
      {
        status: consent.status,
        statusName: STATUS_NAMES[lang][consent.status],
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
}
