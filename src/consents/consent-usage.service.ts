/**
 * A consent's usage log (issue 21): every call made under a consent is recorded at the gateway
 * (so a consumer cannot skip it, unlike Altinn 2's "log use" call) and shown to the person on
 * each consent, and to the consumer and the resource owner through the consent API.
 */
import { Injectable } from '@nestjs/common';
import type { Principal } from '../common/auth/principal.js';
import type { ConsentUsageSummary } from './consent-usage.record.js';
import { ConsentUsageRepository } from './consent-usage.repository.js';
import { ConsentsService } from './consents.service.js';
import type { ConsentUsageDto } from './dto/consent-usage.dto.js';

/** Hours of the log the API returns (a year of hourly rows for one API and consumer). */
const MAX_HOURS = 24 * 366;

@Injectable()
export class ConsentUsageService {
  constructor(
    private readonly usage: ConsentUsageRepository,
    private readonly consents: ConsentsService,
  ) {}

  /** Summaries for the person's list page: one query for every consent on it. */
  async summaries(consentIds: string[]): Promise<Map<string, ConsentUsageSummary>> {
    const out = new Map<string, ConsentUsageSummary>();
    for (const row of await this.usage.totals(consentIds)) {
      let s = out.get(row.consent_id);
      if (!s) {
        s = { consentId: row.consent_id, uses: 0, lastUsed: null, byApi: [] };
        out.set(row.consent_id, s);
      }
      const uses = Number(row.uses);
      s.uses += uses;
      if (row.last_used && (!s.lastUsed || row.last_used > s.lastUsed)) s.lastUsed = row.last_used;
      s.byApi.push({ api: row.api, consumer: row.consumer, uses, lastUsed: row.last_used });
    }
    for (const s of out.values()) s.byApi.sort((a, b) => b.uses - a.uses || a.api.localeCompare(b.api));
    return out;
  }

  /**
   * GET …/consentrequests/{id}/usage: the consumer (`to`, `handledBy`) and the owner of a
   * resource the consent names may read it; anyone else gets AM-00000 and learns nothing.
   */
  async forCaller(principal: Principal, id: string): Promise<ConsentUsageDto> {
    const consent = await this.consents.findForReader(principal, id);
    const entries = await this.usage.hourly(consent.id, MAX_HOURS);
    let uses = 0;
    let lastUsed: Date | null = null;
    for (const e of entries) {
      uses += e.uses;
      if (e.lastUsed && (!lastUsed || e.lastUsed > lastUsed)) lastUsed = e.lastUsed;
    }
    return {
      consentRequestId: consent.id,
      uses,
      lastUsed: lastUsed?.toISOString() ?? null,
      hours: entries.map((e) => ({
        api: e.api,
        consumer: e.consumer,
        hour: e.hour.toISOString(),
        uses: e.uses,
        refused: e.refused,
        lastUsed: e.lastUsed?.toISOString() ?? null,
      })),
    };
  }
}
