/**
 * The cards on "Mine samtykker" (issue 21): each consent with names instead of numbers (who
 * asks, who holds the data, on whose behalf), its metadata (so income years 2023 and 2024 tell
 * apart), when it ended, and its usage log — how often it was used, when last, by whom against
 * which API. Every lookup is one query for the whole page (names, events, usage).
 */
import { Injectable } from '@nestjs/common';
import { formatDateTime, type Lang } from '../common/i18n/languages.js';
import { ConsentEventsService } from '../consents/consent-events.service.js';
import { ConsentUsageService } from '../consents/consent-usage.service.js';
import { ConsentVersionsService } from '../consents/consent-versions.service.js';
import type { ConsentExtensionRecord } from '../consents/consent-extension.record.js';
import type { ConsentRecord, ConsentStatus } from '../consents/consent.record.js';
import type { ConsentUsageSummary } from '../consents/consent-usage.record.js';
import type { ConsentResourceView } from '../resources/consent-resource.view.js';
import { ConsentNotices, type ExpiresSoonNotice, type RevocationNotice } from './consent-notices.js';
import { ConsentPresenterService, type PartyLabel } from './consent-presenter.service.js';
import { CHROME, fill } from './portal-chrome-i18n.js';
import { EXTENSION_TEXTS } from './portal-extension-i18n.js';
import { STATUS_NAMES } from './portal-i18n.js';
import {
  extensionPath,
  grantedTitles,
  HAD_RECEIPT,
  receiptPath,
  requestPath,
  metadataLines,
} from './portal-routes.js';

/** Statuses that end a consent, and the label of the date they ended on. */
const ENDED: Partial<Record<ConsentStatus, 'withdrawnAt' | 'expiredAt' | 'usedAt'>> = {
  revoked: 'withdrawnAt',
  expired: 'expiredAt',
  used: 'usedAt',
};

export interface ConsentCard {
  id: string;
  titles: string;
  /** "inntektsaar: 2024" per right that carries metadata. */
  metadata: string[];
  coveredBy: PartyLabel;
  /** "via <client name>", when it tells more than the organisation's name. */
  via: string | null;
  offeredBy: PartyLabel;
  dataHolders: PartyLabel[];
  consented: string | null;
  validTo: string;
  isOneTime: boolean;
  status: ConsentStatus;
  statusName: string;
  ended: { label: string; at: string } | null;
  /** Who withdrew it, and why when the data owner or the platform operator did. */
  revocation: RevocationNotice | null;
  expiresSoon: ExpiresSoonNotice | null;
  usage: { summary: string; lines: string[] } | null;
  receiptHref: string | null;
  requestHref: string;
  /** The consumer's pending request to extend it (beyond Altinn), with where to answer it. */
  extension: { notice: string; href: string } | null;
}

@Injectable()
export class ConsentCardsService {
  constructor(
    private readonly presenter: ConsentPresenterService,
    private readonly events: ConsentEventsService,
    private readonly usage: ConsentUsageService,
    private readonly notices: ConsentNotices,
    private readonly versions: ConsentVersionsService,
  ) {}

  async build(
    shown: { consent: ConsentRecord; resources: ConsentResourceView[] }[],
    lang: Lang,
  ): Promise<ConsentCard[]> {
    const ids = shown.map((s) => s.consent.id);
    const [history, usage, windowOf, extensions] = await Promise.all([
      this.events.forRequests(ids),
      this.usage.summaries(ids),
      this.notices.windows(),
      this.versions.pendingFor(shown.map((s) => s.consent)),
    ]);
    const names = new Map<string, string | null>();
    const orgs = shown.flatMap((s) => s.resources.map((r) => r.ownerOrgNumber));
    for (const u of usage.values()) orgs.push(...u.byApi.map((a) => a.consumer));
    await this.presenter.preloadNames(
      shown.map((s) => s.consent),
      orgs,
      lang,
      names,
    );
    const via = await this.presenter.viaClients(
      shown.map((s) => s.consent),
      lang,
      names,
    );
    return Promise.all(
      shown.map(async ({ consent, resources }) => {
        const events = history.get(consent.id) ?? [];
        const [coveredBy, offeredBy, dataHolders, revocation] = await Promise.all([
          this.presenter.partyLabel(consent.to, lang, names),
          this.presenter.partyLabel(consent.from, lang, names),
          this.presenter.dataHolders(resources, lang, names),
          this.notices.revocation(consent, events, lang, names),
        ]);
        const endedKey = ENDED[consent.status];
        const endEvent = endedKey
          ? [...events].reverse().find((e) => e.eventType === consent.status)
          : undefined;
        // An accepted consent past validTo reads as expired before the sweeper writes its event.
        const endedAt = endEvent?.createdAt ?? (consent.status === 'expired' ? consent.validTo : null);
        return {
          id: consent.id,
          titles: grantedTitles(consent, resources, lang),
          metadata: metadataLines(consent),
          coveredBy,
          via: via.get(consent.id) ?? null,
          offeredBy,
          dataHolders,
          consented: consent.consented ? formatDateTime(consent.consented, lang) : null,
          validTo: formatDateTime(consent.validTo, lang),
          isOneTime: consent.isOneTime,
          status: consent.status,
          statusName: STATUS_NAMES.in(lang)[consent.status],
          ended:
            endedKey && endedAt
              ? { label: CHROME.in(lang)[endedKey], at: formatDateTime(endedAt, lang) }
              : null,
          revocation,
          expiresSoon: this.notices.expiresSoon(consent, windowOf(consent), coveredBy, lang),
          usage: HAD_RECEIPT.has(consent.status)
            ? await this.usageText(usage.get(consent.id), lang, names)
            : null,
          receiptHref:
            consent.consented && HAD_RECEIPT.has(consent.status) ? receiptPath(consent.id, lang) : null,
          requestHref: requestPath(consent.id, lang),
          extension: this.extensionNotice(extensions.get(consent.id), coveredBy, consent.id, lang),
        };
      }),
    );
  }

  private extensionNotice(
    pending: ConsentExtensionRecord | undefined,
    coveredBy: PartyLabel,
    id: string,
    lang: Lang,
  ): ConsentCard['extension'] {
    if (!pending) return null;
    const consumer = coveredBy.name ?? coveredBy.number;
    const validTo = formatDateTime(pending.validTo, lang);
    return {
      notice: fill(EXTENSION_TEXTS.in(lang).cardNotice, { consumer, validTo }),
      href: extensionPath(id, lang),
    };
  }

  /** "Brukt 3 ganger, sist 7. desember 2026 kl. 11:32" and one "av X mot Y" line per API. */
  private async usageText(
    u: ConsentUsageSummary | undefined,
    lang: Lang,
    names: Map<string, string | null>,
  ): Promise<{ summary: string; lines: string[] }> {
    const c = CHROME.in(lang);
    if (!u || u.uses === 0 || !u.lastUsed) return { summary: c.usageNone, lines: [] };
    const last = formatDateTime(u.lastUsed, lang);
    const summary =
      u.uses === 1 ? fill(c.usageOnce, { last }) : fill(c.usageSummary, { count: u.uses, last });
    const lines = await Promise.all(
      u.byApi.map(async (a) => {
        const consumer = await this.presenter.partyLabel(
          `urn:altinn:organization:identifier-no:${a.consumer}`,
          lang,
          names,
        );
        const by = fill(c.usageBy, { consumer: consumer.name ?? consumer.number, api: a.api });
        return u.byApi.length > 1 ? `${by} (${a.uses})` : by;
      }),
    );
    return { summary, lines };
  }
}
