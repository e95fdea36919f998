/**
 * End-user consent pages (DESIGN §4.8, §10 "Portal forms", "Portal visibility"): plain HTML,
 * plain `<form method="post">` with a `_csrf` field, no JavaScript. The request with its accept
 * and reject forms, and the person's list of consents. Receipts and withdrawing are in
 * consent-receipt.controller.ts; the checks every route makes in portal-visits.service.ts.
 */
import { Controller, Get, Post, Req, Res, UseFilters } from '@nestjs/common';
import { ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../common/auth/auth.decorators.js';
import { orgUrn, personUrn } from '../common/identifiers/party-urn.js';
import { ConsentsService } from '../consents/consents.service.js';
import { ConsentCardsService } from './consent-cards.service.js';
import { ConsentPresenterService } from './consent-presenter.service.js';
import { PortalAccessService } from './portal-access.service.js';
import { query } from './portal-http.js';
import { STATUS_NOTICES, UI } from './portal-i18n.js';
import { EXTENSION_TEXTS } from './portal-extension-i18n.js';
import { PortalErrorFilter } from './portal-error.filter.js';
import { PortalPagesService } from './portal-pages.service.js';
import { AcceptFormDto } from './dto/portal-forms.dto.js';
import { FormAction, HAD_RECEIPT, HtmlPage, receiptPath, requestPath } from './portal-routes.js';
import { decisionRedirect, formActionSource } from './portal-urls.js';
import { idParam, PortalVisitsService, type Visitor } from './portal-visits.service.js';
import type { ConsentRecord } from '../consents/consent.record.js';
import type { ConsentTextModel } from './consent-presenter.service.js';
import { PARTIAL } from './partial-acceptance-i18n.js';
import { checkChoice, choiceView, postedRights, type ChoiceView } from './partial-choice.js';

@ApiTags('portal (HTML)')
@Public()
@UseFilters(PortalErrorFilter)
@Controller('consent')
export class ConsentPagesController {
  constructor(
    private readonly consents: ConsentsService,
    private readonly presenter: ConsentPresenterService,
    private readonly access: PortalAccessService,
    private readonly pages: PortalPagesService,
    private readonly visits: PortalVisitsService,
    private readonly cards: ConsentCardsService,
  ) {}

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
    const visitor = await this.visits.pageVisitor(req, reply);
    const found = visitor && (await this.visits.decidable(reply, visitor, query(req, 'id') ?? ''));
    if (!visitor || !found) return;
    const { consent, loaded } = found;
    const model = await this.presenter.build(consent, loaded, visitor.page.lang);
    const choice = consent.partialAcceptance && consent.status === 'created' ? choiceView(model) : null;
    this.sendRequestPage(reply, 200, visitor, consent, model, choice);
  }

  /** The request page; `choice` is the rights' checkboxes of a partial acceptance (beyond Altinn). */
  private sendRequestPage(
    reply: FastifyReply,
    status: number,
    visitor: Visitor,
    consent: ConsentRecord,
    model: ConsentTextModel,
    choice: ChoiceView | null,
  ): void {
    const { lang } = visitor.page;
    const notice = consent.status === 'created' ? null : STATUS_NOTICES.in(lang)[consent.status];
    const redirectSource = formActionSource(consent.redirectUrl);
    this.pages.send(
      reply,
      status,
      'request.njk',
      { ...visitor.page, title: model.title, formAction: redirectSource ? [redirectSource] : [] },
      {
        id: consent.id,
        consentHtml: this.presenter.renderHtml(model),
        notice,
        receiptHref:
          consent.consented && HAD_RECEIPT.has(consent.status) ? receiptPath(consent.id, lang) : null,
        choice,
        pa: PARTIAL.in(lang),
      },
    );
  }

  @Post('request/:id/accept')
  @FormAction(
    'Accept (HTML form): stores the receipt, then 303 to `redirectUrl` with `Status=OK`',
    {
      forbidden: 'Missing or wrong `_csrf`, or the person may not decide; nothing changed',
      conflict: 'The request is no longer open (expired, cancelled, answered); nothing changed',
    },
    AcceptFormDto,
  )
  @ApiResponse({
    status: 400,
    description:
      'Partial acceptance (beyond Altinn): no right ticked, a required right left out, or a `right` the request does not have; the page again with an error summary, nothing changed',
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
    const visitor = await this.visits.formVisitor(req, reply, (lang) => requestPath(id, lang));
    const found = visitor && (await this.visits.decidable(reply, visitor, id));
    if (!visitor || !found) return;
    const { consent, loaded } = found;
    const { personId, page } = visitor;

    // Partial acceptance (beyond Altinn): the ticked rights, checked before anything is stored;
    // a choice that cannot be accepted shows the page again (400) with what to fix.
    let accepted: number[] | undefined;
    if (accept && consent.partialAcceptance && consent.status === 'created') {
      const model = await this.presenter.build(consent, loaded, page.lang);
      const checked = checkChoice(req.body, consent, model);
      if (checked.view) return this.sendRequestPage(reply, 400, visitor, consent, model, checked.view);
      accepted = checked.accepted;
    } else if (
      accept &&
      !consent.partialAcceptance &&
      (req.body as { right?: unknown })?.right !== undefined
    ) {
      // Its page has no checkboxes, so a posted `right` is a forged form: the service refuses a
      // choice on a request that did not opt in (400 PA-00006) and nothing changes.
      accepted = postedRights(req.body, consent.consentRights.length) ?? [];
    }

    const decision = async () => {
      if (!accept) return this.consents.reject(consent.id, { personId });
      // Rendered again from the same versions and language: exactly the text the page showed,
      // marked with what was accepted and declined when the person chose.
      const declined =
        accepted && consent.consentRights.map((_r, i) => i).filter((i) => !accepted.includes(i));
      const model = await this.presenter.build(consent, loaded, page.lang, declined ?? null);
      const receipt = {
        language: page.lang,
        html: this.presenter.renderHtml(model),
        text: this.presenter.receiptText(model),
      };
      return this.consents.accept(consent.id, { personId }, receipt, accepted);
    };
    await this.visits.transition(reply, visitor, consent.id, decision, () =>
      decisionRedirect(consent.redirectUrl, accept),
    );
  }

  // ───────────── the person's consents ─────────────

  @Get('active')
  @HtmlPage('The person’s consents (HTML): active ones with use, receipt and withdraw; pending; earlier')
  @ApiResponse({ status: 200, description: 'Consents given by the person or for organisations they act for' })
  async activePage(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const visitor = await this.visits.pageVisitor(req, reply);
    if (!visitor) return;
    const { personId, page } = visitor;
    const { lang } = page;

    const roles = await this.access.rolesOf(personId);
    const parties = [personUrn(personId), ...[...roles.keys()].map((org) => orgUrn(org))];
    const shown = [];
    for (const consent of await this.consents.listForParties(parties)) {
      const resources = await this.presenter.loadResources(consent).catch(() => null);
      if (!resources) continue;
      if (!this.access.allowed('act-for-party', personId, consent, resources, roles)) continue;
      if (consent.status === 'created' && !this.access.allowed('decide', personId, consent, resources, roles))
        continue;
      shown.push({ consent, resources });
    }
    const cards = await this.cards.build(shown, lang);
    this.pages.send(
      reply,
      200,
      'active.njk',
      { ...page, title: UI.in(lang).activeTitle },
      {
        active: cards.filter((c) => c.status === 'accepted'),
        pending: cards.filter((c) => c.status === 'created'),
        earlier: cards.filter((c) => c.status !== 'accepted' && c.status !== 'created'),
        revoked: query(req, 'revoked') === '1',
        x: EXTENSION_TEXTS.in(lang),
      },
    );
  }
}
