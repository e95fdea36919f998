import { describe, expect, it } from '@jest/globals';
import type { ConsentUsageRepository } from './consent-usage.repository.js';
import { ConsentUsageService } from './consent-usage.service.js';
import type { ConsentsService } from './consents.service.js';

/** The totals a repository returns for the list page, as rows of (consent, API, consumer). */
function serviceOver(rows: Awaited<ReturnType<ConsentUsageRepository['totals']>>): ConsentUsageService {
  const repository = { totals: () => Promise.resolve(rows) } as unknown as ConsentUsageRepository;
  return new ConsentUsageService(repository, {} as ConsentsService);
}

const at = (minute: number) => new Date(Date.UTC(2026, 11, 7, 11, minute));

describe('ConsentUsageService.summaries', () => {
  it('adds up every API and consumer of a consent, keeps the latest use, and lists the most used first', async () => {
    const summaries = await serviceOver([
      { consent_id: 'a', api: 'skatt', consumer: '923609016', uses: 2n, last_used: at(40) },
      { consent_id: 'a', api: 'inntekt', consumer: '923609016', uses: 5n, last_used: at(32) },
      { consent_id: 'b', api: 'inntekt', consumer: '923609016', uses: 1n, last_used: at(5) },
    ]).summaries(['a', 'b', 'c']);
    expect(summaries.get('a')).toEqual({
      consentId: 'a',
      uses: 7,
      lastUsed: at(40),
      byApi: [
        { api: 'inntekt', consumer: '923609016', uses: 5, lastUsed: at(32) },
        { api: 'skatt', consumer: '923609016', uses: 2, lastUsed: at(40) },
      ],
    });
    expect(summaries.get('b')?.uses).toBe(1);
    // A consent nobody used has no summary: the page says "not used yet".
    expect(summaries.has('c')).toBe(false);
  });

  it('orders APIs used equally often by name, so the card reads the same on every visit', async () => {
    const summaries = await serviceOver([
      { consent_id: 'a', api: 'skatt', consumer: '1', uses: 3n, last_used: at(1) },
      { consent_id: 'a', api: 'arbeid', consumer: '1', uses: 3n, last_used: at(2) },
    ]).summaries(['a']);
    expect(summaries.get('a')?.byApi.map((x) => x.api)).toEqual(['arbeid', 'skatt']);
  });
});
