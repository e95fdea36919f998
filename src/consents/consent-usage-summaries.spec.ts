import { describe, expect, it } from '@jest/globals';
import { lastDayDue, summariesOf, USAGE_SUMMARY_GRACE_MS } from './consent-usage-summaries.js';
import type { DayRow } from './consent-usage.repository.js';

const DAY = 24 * 3600 * 1000;
const midnight = Date.UTC(2026, 11, 8);

describe('lastDayDue', () => {
  it('is yesterday once the grace period after midnight has passed, else the day before', () => {
    expect(lastDayDue(midnight + USAGE_SUMMARY_GRACE_MS)).toBe(midnight - DAY);
    expect(lastDayDue(midnight + USAGE_SUMMARY_GRACE_MS - 1)).toBe(midnight - 2 * DAY);
    expect(lastDayDue(midnight + DAY - 1)).toBe(midnight - DAY);
  });
});

describe('summariesOf', () => {
  const row = (o: Partial<DayRow>): DayRow => ({
    consent_id: 'a',
    to_org: '923609016',
    handled_by: null,
    api: 'inntekt',
    consumer: '923609016',
    outcome: 'upstream_2xx',
    calls: 1n,
    last_used: null,
    ...o,
  });

  it('groups the rows by consent, keeps their order and the latest use', () => {
    const out = summariesOf([
      row({ outcome: 'GW-00011', calls: 2n }),
      row({ calls: 3n, last_used: new Date(midnight - 3600_000) }),
      row({ api: 'skatt', calls: 1n, last_used: new Date(midnight - 7200_000) }),
      row({ consent_id: 'b', handled_by: '991825827', outcome: 'GW-00009' }),
    ]);
    expect(out).toEqual([
      {
        consentRequestId: 'a',
        toOrg: '923609016',
        handledBy: null,
        calls: [
          { api: 'inntekt', consumer: '923609016', outcome: 'GW-00011', calls: 2 },
          { api: 'inntekt', consumer: '923609016', outcome: 'upstream_2xx', calls: 3 },
          { api: 'skatt', consumer: '923609016', outcome: 'upstream_2xx', calls: 1 },
        ],
        lastUsedAt: new Date(midnight - 3600_000),
      },
      {
        consentRequestId: 'b',
        toOrg: '923609016',
        handledBy: '991825827',
        calls: [{ api: 'inntekt', consumer: '923609016', outcome: 'GW-00009', calls: 1 }],
        lastUsedAt: null,
      },
    ]);
  });
});
