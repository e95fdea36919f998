/**
 * What the portal tells a person beyond a consent's terms (issue 23, items 4 and 5): who
 * withdrew a consent and why, when its data owner or the platform operator did it (e.g. after a
 * fraud report), and that an accepted consent expires soon. Texts are resolved here, in the
 * page's language, so the views only place them.
 */
import { Inject, Injectable } from '@nestjs/common';
import { Dictionary } from '../common/i18n/dictionary.js';
import { formatDateTime, type Lang } from '../common/i18n/languages.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import type { ConsentEventRecord, ConsentRecord } from '../consents/consent.record.js';
import { ResourcePoliciesService } from '../resources/resource-policies.service.js';
import { ConsentPresenterService, type PartyLabel } from './consent-presenter.service.js';
import { fill } from './portal-chrome-i18n.js';

/** "Expires soon" when no reminder window is configured (neither EXPIRY_REMINDER_DAYS nor a policy). */
export const DEFAULT_EXPIRES_SOON_DAYS = 30;
const DAY_MS = 86_400_000;

const nb = {
  revokedBy: 'Trukket tilbake av',
  revocationReason: 'Begrunnelse',
  expiresSoon: 'Utløper snart',
  expiresSoonText: 'Samtykket utløper {date}. Etter det kan ikke {consumer} hente opplysningene med det.',
};
type Strings = typeof nb;
const nn: Strings = {
  revokedBy: 'Trekt tilbake av',
  revocationReason: 'Grunngiving',
  expiresSoon: 'Går snart ut',
  expiresSoonText: 'Samtykket går ut {date}. Etter det kan ikkje {consumer} hente opplysningane med det.',
};
const en: Strings = {
  revokedBy: 'Withdrawn by',
  revocationReason: 'Reason',
  expiresSoon: 'Expires soon',
  expiresSoonText: 'The consent expires {date}. After that, {consumer} can no longer fetch data with it.',
};
export const NOTICES = Dictionary.complete<Strings>({ nb, nn, en });

export interface RevocationNotice {
  byLabel: string;
  by: PartyLabel;
  /** Set when the data owner or the platform operator gave one. */
  reasonLabel: string;
  reason: string | null;
}

export interface ExpiresSoonNotice {
  tag: string;
  text: string;
}

@Injectable()
export class ConsentNotices {
  constructor(
    private readonly presenter: ConsentPresenterService,
    private readonly policies: ResourcePoliciesService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Who withdrew a revoked consent (and why, when given); null for any other status. */
  async revocation(
    consent: ConsentRecord,
    history: readonly ConsentEventRecord[],
    lang: Lang,
    names: Map<string, string | null>,
  ): Promise<RevocationNotice | null> {
    if (consent.status !== 'revoked') return null;
    const event = [...history].reverse().find((e) => e.eventType === 'revoked');
    if (!event?.performedBy) return null;
    const t = NOTICES.in(lang);
    return {
      byLabel: t.revokedBy,
      by: await this.presenter.partyLabel(event.performedBy, lang, names),
      reasonLabel: t.revocationReason,
      reason: event.reason,
    };
  }

  /**
   * The days before `validTo` each consent counts as expiring soon: the reminder window that
   * applies to it (the platform's EXPIRY_REMINDER_DAYS or its resources' `expiryReminderDays`,
   * the larger), or 30 days when none is set. Built once per page.
   */
  async windows(): Promise<(consent: ConsentRecord) => number> {
    const platform = this.config.expiryReminderDays;
    const byResource = new Map((await this.policies.reminderDays()).map((r) => [r.resource, r.days]));
    return (consent) => {
      const days = Math.max(platform, ...consent.resources.map((r) => byResource.get(r) ?? 0));
      return days > 0 ? days : DEFAULT_EXPIRES_SOON_DAYS;
    };
  }

  /** The "expires soon" tag of an accepted, unexpired consent inside its window; else null. */
  expiresSoon(
    consent: ConsentRecord,
    windowDays: number,
    consumer: PartyLabel,
    lang: Lang,
    nowMs = Date.now(),
  ): ExpiresSoonNotice | null {
    if (consent.status !== 'accepted' || consent.isOneTime) return null;
    const left = consent.validTo.getTime() - nowMs;
    if (left <= 0 || left > windowDays * DAY_MS) return null;
    const t = NOTICES.in(lang);
    return {
      tag: t.expiresSoon,
      text: fill(t.expiresSoonText, {
        date: formatDateTime(consent.validTo, lang),
        consumer: consumer.name ?? consumer.number,
      }),
    };
  }
}
