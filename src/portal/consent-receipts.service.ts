/**
 * Receipts a person can keep and anyone can verify (issue 21): the receipt page in plain
 * language (what, who, when accepted and ended, the exact text in the language shown — no
 * template ids or version UUIDs), and the same facts as a JWS signed with the built-in issuer's
 * key, verifiable offline against `GET /jwk` (docs/portal.md says how).
 */
import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DOCUMENT_SIGNER, type DocumentSigner } from '../common/crypto/document-signer.js';
import { formatDateTime, LANGUAGE_NAMES, type Lang } from '../common/i18n/languages.js';
import { ConsentEventsService } from '../consents/consent-events.service.js';
import { ConsentVersionsService } from '../consents/consent-versions.service.js';
import type { ConsentReceipt, ConsentRecord } from '../consents/consent.record.js';
import type { ConsentResourceView } from '../resources/consent-resource.view.js';
import { ConsentNotices } from './consent-notices.js';
import { ConsentPresenterService, formatPartyNumber } from './consent-presenter.service.js';
import { CHROME, fill } from './portal-chrome-i18n.js';
import { EXTENSION_TEXTS } from './portal-extension-i18n.js';
import { parseLang, STATUS_NAMES } from './portal-i18n.js';
import { grantedTitles, metadataLines } from './portal-routes.js';

/** The JWS `typ`: never an access-token type, so a receipt can't be used as a bearer token. */
export const RECEIPT_TYP = 'consent-receipt+jwt';

/** When the consent ended, by status (the event of that status; validTo for an unswept expiry). */
function endedAt(consent: ConsentRecord, events: { eventType: string; createdAt: Date }[]): Date | null {
  if (!['revoked', 'expired', 'used'].includes(consent.status)) return null;
  const event = [...events].reverse().find((e) => e.eventType === consent.status);
  return event?.createdAt ?? (consent.status === 'expired' ? consent.validTo : null);
}

@Injectable()
export class ConsentReceiptsService {
  constructor(
    private readonly presenter: ConsentPresenterService,
    private readonly events: ConsentEventsService,
    private readonly versions: ConsentVersionsService,
    @Inject(DOCUMENT_SIGNER) private readonly signer: DocumentSigner,
    private readonly notices: ConsentNotices,
  ) {}

  private async history(consent: ConsentRecord) {
    return (await this.events.forRequests([consent.id])).get(consent.id) ?? [];
  }

  private async ended(consent: ConsentRecord): Promise<Date | null> {
    return endedAt(consent, await this.history(consent));
  }

  /** What the receipt page shows, in the page's language (the text stays in the language shown). */
  async page(consent: ConsentRecord, receipt: ConsentReceipt, resources: ConsentResourceView[], lang: Lang) {
    const names = new Map<string, string | null>();
    await this.presenter.preloadNames(
      [consent],
      resources.map((r) => r.ownerOrgNumber),
      lang,
      names,
    );
    const [coveredBy, offeredBy, dataHolders, history, windowOf] = await Promise.all([
      this.presenter.partyLabel(consent.to, lang, names),
      this.presenter.partyLabel(consent.from, lang, names),
      this.presenter.dataHolders(resources, lang, names),
      this.history(consent),
      this.notices.windows(),
    ]);
    const ended = endedAt(consent, history);
    const c = CHROME.in(lang);
    const endedLabel = { revoked: c.withdrawnAt, expired: c.expiredAt, used: c.usedAt }[
      consent.status as 'revoked' | 'expired' | 'used'
    ];
    const receiptLang = parseLang(receipt.language);
    return {
      status: consent.status,
      statusName: STATUS_NAMES.in(lang)[consent.status],
      titles: grantedTitles(consent, resources, lang),
      metadata: metadataLines(consent),
      coveredBy,
      offeredBy,
      dataHolders,
      acceptedBy: formatPartyNumber(receipt.acceptedBy.replace(/^urn:altinn:person:identifier-no:/, '')),
      acceptedAt: formatDateTime(receipt.acceptedAt, lang),
      // The receipt's own version's end (an extension moved the consent's own later).
      validTo: consent.isOneTime ? null : formatDateTime(receipt.validTo ?? consent.validTo, lang),
      version: consent.version > 1 ? (receipt.version ?? null) : null,
      ended: ended && endedLabel ? { label: endedLabel, at: formatDateTime(ended, lang) } : null,
      revocation: await this.notices.revocation(consent, history, lang, names),
      expiresSoon: this.notices.expiresSoon(consent, windowOf(consent), coveredBy, lang),
      receiptLanguage: LANGUAGE_NAMES[receiptLang],
      receiptLang,
      // Our own rendering, stored at accept (consumer values inside it were escaped then).
      receiptHtml: receipt.html,
    };
  }

  /** Every version of an extended consent with a link to its receipt; empty when never extended. */
  async versionLinks(consent: ConsentRecord, shown: ConsentReceipt, lang: Lang) {
    if (consent.version <= 1) return [];
    const x = EXTENSION_TEXTS.in(lang);
    return (await this.versions.versionsOf(consent)).map((v) => ({
      text: fill(x.versionLine, {
        version: v.version,
        validTo: formatDateTime(v.validTo, lang),
        acceptedAt: formatDateTime(v.acceptedAt, lang),
      }),
      href:
        v.version === shown.version
          ? null
          : `/consent/receipt/${encodeURIComponent(consent.id)}?lang=${lang}&version=${v.version}`,
    }));
  }

  /**
   * The signed receipt: a compact JWS whose payload holds the exact text shown (and its
   * SHA-256), language, resource and template versions, the rights, the parties and the times.
   */
  async signed(consent: ConsentRecord, receipt: ConsentReceipt, resources: ConsentResourceView[]) {
    const ended = await this.ended(consent);
    const orgUrn = (org: string) => `urn:altinn:organization:identifier-no:${org}`;
    return this.signer.signDocument(
      {
        consentRequestId: consent.id,
        status: consent.status,
        language: receipt.language,
        text: {
          sha256: createHash('sha256').update(receipt.html, 'utf8').digest('hex'),
          html: receipt.html,
        },
        resources: resources.map((r) => ({
          identifier: r.identifier,
          versionId: r.versionId,
          version: r.version,
        })),
        template: { id: receipt.templateId, version: receipt.templateVersion },
        rights: consent.consentRights,
        // Partial acceptance (beyond Altinn): which of `rights` (by index) the person accepted.
        ...(consent.partialAcceptance?.declined
          ? {
              acceptedRights: consent.consentRights.flatMap((_r, i) =>
                consent.partialAcceptance!.declined!.includes(i) ? [] : [i],
              ),
              declinedRights: consent.partialAcceptance.declined,
            }
          : {}),
        parties: {
          from: consent.from,
          to: consent.to,
          handledBy: consent.handledBy,
          acceptedBy: receipt.acceptedBy,
          dataHolders: [...new Set(resources.map((r) => orgUrn(r.ownerOrgNumber)))],
        },
        // Beyond Altinn: which version of the consent's terms this receipt is of (1 until extended).
        version: receipt.version ?? 1,
        times: {
          accepted: receipt.acceptedAt.toISOString(),
          validTo: (receipt.validTo ?? consent.validTo).toISOString(),
          ended: ended?.toISOString() ?? null,
        },
        oneTime: consent.isOneTime,
      },
      RECEIPT_TYP,
    );
  }
}
