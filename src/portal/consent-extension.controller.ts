/**
 * Extending a consent, the person's side (beyond Altinn; docs/consent-lifecycle.md): the page
 * that shows the consumer's pending extension — the terms now and after, and the consent text
 * rendered for the new terms exactly as for a new consent — with approve and decline forms.
 * Plain `<form method="post">` with `_csrf`, no JavaScript; the same rule as accepting: only a
 * person who may decide on the consent (portal-access.service.ts, action `decide`).
 *
 * The forms name the extension they answer (`extension`), so a person never approves terms
 * other than those on their screen: if the consumer cancelled and asked again meanwhile, the
 * answer is refused (409) and nothing changes.
 */
import { applyDecorators, Controller, Get, Post, Req, Res, UseFilters } from '@nestjs/common';
import {
  ApiBody,
  ApiConsumes,
  ApiOperation,
  ApiParam,
  ApiProperty,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../common/auth/auth.decorators.js';
import { DomainError } from '../common/errors/domain-error.js';
import { formatDateTime } from '../common/i18n/languages.js';
import type { ConsentExtensionRecord } from '../consents/consent-extension.record.js';
import { ConsentExtensionDecisionsService } from '../consents/consent-extension-decisions.service.js';
import type { ConsentRecord } from '../consents/consent.record.js';
import { ConsentVersionsService } from '../consents/consent-versions.service.js';
import { ConsentPresenterService, type LoadedConsent } from './consent-presenter.service.js';
import { PortalActionFormDto } from './dto/portal-forms.dto.js';
import { fill } from './portal-chrome-i18n.js';
import { EXTENSION_TEXTS } from './portal-extension-i18n.js';
import { form, query, seeOther } from './portal-http.js';
import { PortalErrorFilter } from './portal-error.filter.js';
import { PortalPagesService } from './portal-pages.service.js';
import { extensionPath, HtmlPage, metadataLines } from './portal-routes.js';
import { idParam, PortalVisitsService, type Visitor } from './portal-visits.service.js';

/** Answers that mean "this extension can no longer be answered": a 409 page. */
const STALE = new Set(['CX-00001', 'CX-00004', 'CX-00005']);
/** The extension's terms no longer meet the resource's rules (policy, access list): a 409 page saying so. */
const NO_LONGER_ALLOWED = 'CX-00006';

class ExtensionAnswerFormDto extends PortalActionFormDto {
  @ApiProperty({ format: 'uuid', description: 'The extension shown on the page (the one answered).' })
  extension: string;
}

@ApiTags('portal (HTML)')
@Public()
@UseFilters(PortalErrorFilter)
@Controller('consent')
export class ConsentExtensionController {
  constructor(
    private readonly extensions: ConsentExtensionDecisionsService,
    private readonly versions: ConsentVersionsService,
    private readonly presenter: ConsentPresenterService,
    private readonly pages: PortalPagesService,
    private readonly visits: PortalVisitsService,
  ) {}

  @Get(':id/extension')
  @ApiParam({ name: 'id' })
  @HtmlPage(
    'The consumer’s request to extend a consent (HTML): the terms now and after, with approve and decline',
  )
  @ApiResponse({ status: 200, description: 'The pending extension (or, when there is none, a notice)' })
  @ApiResponse({
    status: 403,
    description: 'The person may not decide on this consent (nothing of it is shown)',
  })
  @ApiResponse({ status: 404, description: 'No such consent' })
  async page(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const visitor = await this.visits.pageVisitor(req, reply);
    const found = visitor && (await this.visits.decidable(reply, visitor, idParam(req)));
    if (!visitor || !found) return;
    const { consent, loaded } = found;
    const { lang } = visitor.page;
    const x = EXTENSION_TEXTS.in(lang);
    const pending = (await this.versions.pendingFor([consent])).get(consent.id) ?? null;
    const coveredBy = await this.presenter.partyLabel(consent.to, lang);
    const consumer = coveredBy.name ?? coveredBy.number;
    const declined = query(req, 'declined') === '1';
    this.pages.send(
      reply,
      200,
      'extension.njk',
      { ...visitor.page, title: x.pageTitle },
      {
        x,
        id: consent.id,
        extension: pending
          ? {
              id: pending.id,
              intro: fill(x.pageIntro, { consumer, oldValidTo: formatDateTime(consent.validTo, lang) }),
              oldValidTo: formatDateTime(consent.validTo, lang),
              newValidTo: formatDateTime(pending.validTo, lang),
              titles: loaded.resources.map((r) => r.title[lang] || r.title.nb || r.identifier).join(', '),
              metadata: metadataLines(consent),
              consentHtml: await this.textFor(consent, loaded, pending, lang),
            }
          : null,
        notice: pending
          ? null
          : declined
            ? fill(x.declined, { validTo: formatDateTime(consent.validTo, lang) })
            : x.notPending,
      },
    );
  }

  @Post(':id/extension/approve')
  @ExtensionForm('Approve the pending extension (HTML form): 303 to the new version’s receipt')
  @ApiResponse({ status: 303, description: 'Approved (or already approved by this person): to the receipt' })
  async approve(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    await this.answer(req, reply, true);
  }

  @Post(':id/extension/decline')
  @ExtensionForm('Decline the pending extension (HTML form): 303 back to the page, which says so')
  @ApiResponse({ status: 303, description: 'Declined (or already declined): back to the extension page' })
  async decline(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    await this.answer(req, reply, false);
  }

  private async answer(req: FastifyRequest, reply: FastifyReply, approve: boolean): Promise<void> {
    const id = idParam(req);
    const visitor = await this.visits.formVisitor(req, reply, (lang) => extensionPath(id, lang));
    const found = visitor && (await this.visits.decidable(reply, visitor, id));
    if (!visitor || !found) return;
    const { consent, loaded } = found;
    const { personId, page } = visitor;
    const extensionId = form(req, 'extension') ?? '';
    try {
      if (!approve) await this.extensions.decline(consent, extensionId, { personId });
      else {
        const extension = await this.versions.extensionOf(consent, extensionId);
        if (!extension) return this.stale(reply, visitor);
        // Rendered again for the same terms and language: exactly the text the page showed.
        const model = await this.presenter.build(
          { ...consent, validTo: extension.validTo },
          loaded,
          page.lang,
        );
        await this.extensions.approve(
          consent,
          extensionId,
          { personId },
          {
            language: page.lang,
            html: this.presenter.renderHtml(model),
            text: this.presenter.receiptText(model),
          },
        );
      }
    } catch (err) {
      if (err instanceof DomainError && STALE.has(err.code)) return this.stale(reply, visitor);
      if (err instanceof DomainError && err.code === NO_LONGER_ALLOWED)
        return this.pages.error(reply, 409, 'conflict', visitor.page, {
          notice: EXTENSION_TEXTS.in(visitor.page.lang).noLongerAllowed,
        });
      throw err;
    }
    if (!approve) return seeOther(reply, `${extensionPath(consent.id, page.lang)}&declined=1`);
    const now = await this.versions.extensionOf(consent, extensionId);
    seeOther(
      reply,
      `/consent/receipt/${encodeURIComponent(consent.id)}?lang=${page.lang}&version=${now?.version ?? ''}`,
    );
  }

  private stale(reply: FastifyReply, { page }: Visitor): void {
    this.pages.error(reply, 409, 'conflict', page, { notice: EXTENSION_TEXTS.in(page.lang).notPending });
  }

  /** The consent text as for a new consent, with the new `validTo` in it. */
  private async textFor(
    consent: ConsentRecord,
    loaded: LoadedConsent,
    extension: ConsentExtensionRecord,
    lang: Visitor['page']['lang'],
  ): Promise<string> {
    const model = await this.presenter.build({ ...consent, validTo: extension.validTo }, loaded, lang);
    return this.presenter.renderHtml(model);
  }
}

function ExtensionForm(summary: string): MethodDecorator {
  return applyDecorators(
    ApiOperation({ summary }),
    ApiParam({ name: 'id' }),
    ApiConsumes('application/x-www-form-urlencoded'),
    ApiBody({ type: ExtensionAnswerFormDto }),
    ApiResponse({
      status: 403,
      description: 'Missing or wrong `_csrf`, or the person may not decide on the consent; nothing changed',
    }),
    ApiResponse({
      status: 409,
      description:
        'The extension is no longer pending (answered, cancelled, lapsed) or is not the one shown; nothing changed',
    }),
  );
}
