/**
 * After a consent was given (issue 21): its receipt (a printable page and a signed download),
 * and withdrawing it — a confirmation page that says what stops and what the consumer may
 * already have fetched, whose form posts to `POST /consent/{id}/revoke` (DESIGN §10). The POST
 * itself works as before for any HTTP client; the confirmation is the browser's path to it.
 */
import { Controller, Get, Post, Req, Res, UseFilters } from '@nestjs/common';
import { ApiParam, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../common/auth/auth.decorators.js';
import { ConsentsService } from '../consents/consents.service.js';
import { ConsentVersionsService } from '../consents/consent-versions.service.js';
import { ConsentPresenterService } from './consent-presenter.service.js';
import { ConsentReceiptsService } from './consent-receipts.service.js';
import { CHROME, fill } from './portal-chrome-i18n.js';
import { STATUS_NOTICES, UI } from './portal-i18n.js';
import { EXTENSION_TEXTS } from './portal-extension-i18n.js';
import { PortalErrorFilter } from './portal-error.filter.js';
import { PortalPagesService } from './portal-pages.service.js';
import { FormAction, grantedTitles, HtmlPage, metadataLines, requestPath } from './portal-routes.js';
import { query, seeOther } from './portal-http.js';
import { idParam, PortalVisitsService } from './portal-visits.service.js';

@ApiTags('portal (HTML)')
@Public()
@UseFilters(PortalErrorFilter)
@Controller('consent')
export class ConsentReceiptController {
  constructor(
    private readonly consents: ConsentsService,
    private readonly presenter: ConsentPresenterService,
    private readonly receipts: ConsentReceiptsService,
    private readonly pages: PortalPagesService,
    private readonly visits: PortalVisitsService,
    private readonly versions: ConsentVersionsService,
  ) {}

  @Get(':id/revoke')
  @ApiParam({ name: 'id' })
  @HtmlPage('Confirm withdrawing a consent (HTML): what stops, what may already have been fetched')
  @ApiResponse({
    status: 200,
    description: 'The confirmation form (or, when no longer active, where it stands)',
  })
  @ApiResponse({ status: 403, description: 'The person may not act for the consent’s party' })
  @ApiResponse({ status: 404, description: 'No such consent' })
  async confirmWithdraw(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const visitor = await this.visits.pageVisitor(req, reply);
    const consent = visitor && (await this.visits.partyConsent(reply, visitor, idParam(req)));
    if (!visitor || !consent) return;
    const { lang } = visitor.page;
    // Not answered yet: nothing to withdraw; the request page is where it is answered.
    if (consent.status === 'created') return seeOther(reply, requestPath(consent.id, lang));
    const c = CHROME.in(lang);
    const [resources, coveredBy] = await Promise.all([
      this.presenter.loadResources(consent),
      this.presenter.partyLabel(consent.to, lang),
    ]);
    const consumer = coveredBy.name ?? coveredBy.number;
    this.pages.send(
      reply,
      200,
      'withdraw.njk',
      { ...visitor.page, title: c.withdrawTitle },
      {
        id: consent.id,
        titles: grantedTitles(consent, resources, lang),
        coveredBy,
        metadata: metadataLines(consent),
        active: consent.status === 'accepted',
        notice: consent.status === 'accepted' ? null : STATUS_NOTICES.in(lang)[consent.status],
        whatStops: fill(c.withdrawWhatStops, { consumer }),
        alreadyFetched: fill(c.withdrawAlreadyFetched, { consumer }),
      },
    );
  }

  @Post(':id/revoke')
  @FormAction('Revoke an accepted consent (HTML form), then 303 to `/consent/active`', {
    forbidden: 'Missing or wrong `_csrf`, or the person may not act for the party; nothing changed',
    conflict: 'The consent is not active; nothing changed',
  })
  @ApiResponse({ status: 303, description: 'Revoked (or already revoked): back to the list' })
  async revoke(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const visitor = await this.visits.formVisitor(req, reply, () => '/consent/active');
    const consent = visitor && (await this.visits.partyConsent(reply, visitor, idParam(req)));
    if (!visitor || !consent) return;
    const { personId, page } = visitor;
    await this.visits.transition(
      reply,
      visitor,
      consent.id,
      () => this.consents.revoke(consent.id, { personId }),
      () => `/consent/active?lang=${page.lang}&revoked=1`,
    );
  }

  @Get('receipt/:id')
  @ApiParam({ name: 'id' })
  @HtmlPage('The receipt of a consent (HTML, printable): what, who, when, and the exact text shown')
  @ApiResponse({ status: 200, description: 'The stored receipt' })
  @ApiResponse({ status: 403, description: 'The person may not act for the consent’s party' })
  @ApiResponse({ status: 404, description: 'No such consent, or it was never accepted' })
  async receiptPage(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const found = await this.receiptOf(req, reply);
    if (!found) return;
    const { visitor, consent, receipt, resources } = found;
    const { lang } = visitor.page;
    this.pages.send(
      reply,
      200,
      'receipt.njk',
      { ...visitor.page, title: UI.in(lang).receiptTitle },
      {
        r: await this.receipts.page(consent, receipt, resources, lang),
        signedHref: `/consent/receipt/${encodeURIComponent(consent.id)}/signed${consent.version > 1 ? `?version=${receipt.version}` : ''}`,
        versions: await this.receipts.versionLinks(consent, receipt, lang),
        x: EXTENSION_TEXTS.in(lang),
      },
    );
  }

  @Get('receipt/:id/signed')
  @ApiParam({ name: 'id' })
  @HtmlPage('The signed receipt (a JWS, `application/jose`) to keep; verify it against `GET /jwk`')
  @ApiProduces('application/jose')
  @ApiResponse({ status: 200, description: 'A compact JWS (typ `consent-receipt+jwt`), as a download' })
  @ApiResponse({ status: 403, description: 'The person may not act for the consent’s party' })
  @ApiResponse({ status: 404, description: 'No such consent, or it was never accepted' })
  async signedReceipt(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const found = await this.receiptOf(req, reply);
    if (!found) return;
    const { consent, receipt, resources } = found;
    const jws = await this.receipts.signed(consent, receipt, resources);
    void reply
      .status(200)
      .header('content-type', 'application/jose')
      .header(
        'content-disposition',
        `attachment; filename="consent-receipt-${consent.id}${consent.version > 1 ? `-v${receipt.version}` : ''}.jws"`,
      )
      .header('cache-control', 'no-store')
      .header('x-content-type-options', 'nosniff')
      .send(jws);
  }

  /** The consent, its stored receipt and resource versions, when the person may see them. */
  private async receiptOf(req: FastifyRequest, reply: FastifyReply) {
    const visitor = await this.visits.pageVisitor(req, reply);
    const consent = visitor && (await this.visits.partyConsent(reply, visitor, idParam(req)));
    if (!visitor || !consent) return null;
    // `version` (beyond Altinn): the receipt of one version of an extended consent; else the current.
    const asked = query(req, 'version');
    const version =
      asked === undefined || asked === '' ? undefined : /^\d{1,9}$/.test(asked) ? Number(asked) : 0;
    const receipt = await this.versions.receiptOf(consent, version);
    if (!receipt) {
      this.pages.error(reply, 404, 'notFound', visitor.page);
      return null;
    }
    return { visitor, consent, receipt, resources: await this.presenter.loadResources(consent) };
  }
}
