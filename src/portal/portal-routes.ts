/**
 * What the portal's page controllers share: their paths and the Swagger shape of an HTML page
 * and of a form action.
 */
import { applyDecorators } from '@nestjs/common';
import {
  ApiBody,
  ApiConsumes,
  ApiOperation,
  ApiParam,
  ApiProduces,
  ApiQuery,
  ApiResponse,
} from '@nestjs/swagger';
import { LANGS, type Lang } from '../common/i18n/languages.js';
import type { ConsentRecord, ConsentStatus } from '../consents/consent.record.js';
import type { ConsentResourceView } from '../resources/consent-resource.view.js';
import { PortalActionFormDto } from './dto/portal-forms.dto.js';

/** Statuses whose consent was once accepted, so a receipt exists. */
export const HAD_RECEIPT: ReadonlySet<ConsentStatus> = new Set(['accepted', 'revoked', 'used', 'expired']);

export const requestPath = (id: string, lang: Lang) =>
  `/consent/request?id=${encodeURIComponent(id)}&lang=${lang}`;
export const receiptPath = (id: string, lang: Lang) =>
  `/consent/receipt/${encodeURIComponent(id)}?lang=${lang}`;
/** The consumer's pending request to extend a consent (beyond Altinn). */
export const extensionPath = (id: string, lang: Lang) =>
  `/consent/${encodeURIComponent(id)}/extension?lang=${lang}`;

/** An HTML page behind the portal login. The route documents its 200 itself (see below). */
export function HtmlPage(summary: string): MethodDecorator {
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
export function FormAction(
  summary: string,
  refusals: { forbidden: string; conflict: string },
  body: new () => PortalActionFormDto = PortalActionFormDto,
): MethodDecorator {
  return applyDecorators(
    ApiOperation({ summary }),
    ApiParam({ name: 'id' }),
    ApiConsumes('application/x-www-form-urlencoded'),
    ApiBody({ type: body }),
    ApiResponse({ status: 403, description: refusals.forbidden }),
    ApiResponse({ status: 409, description: refusals.conflict }),
  );
}

/**
 * The titles of the resources the consent grants, in its order: a right the person declined
 * (partial acceptance) is not part of what the consent is "to" (the receipt's text still shows it,
 * marked declined).
 */
export function grantedTitles(consent: ConsentRecord, resources: ConsentResourceView[], lang: Lang): string {
  const granted = new Set(consent.grantedRights.flatMap((r) => r.resource.map((x) => x.value)));
  return resources
    .filter((r) => granted.has(r.identifier))
    .map((r) => r.title[lang] || r.title.nb || r.identifier)
    .join(', ');
}

/** "inntektsaar: 2024" per granted right that carries metadata: what tells two similar consents apart. */
export function metadataLines(consent: ConsentRecord): string[] {
  return consent.grantedRights
    .map((r) => Object.entries(r.metadata ?? {}).map(([k, v]) => `${k}: ${v}`))
    .filter((m) => m.length)
    .map((m) => m.join(', '));
}
