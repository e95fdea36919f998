import { describe, expect, it } from '@jest/globals';
import { validateResourcePolicy } from './resource-policy.validator.js';
import { NO_POLICY } from './resource-policy.view.js';

const KEYS = ['inntektsaar', 'kontonr'];
const paths = (raw: unknown) =>
  validateResourcePolicy(raw, KEYS)
    .problems.flatMap((p) => p.paths)
    .sort();

describe('validateResourcePolicy', () => {
  it('stores an empty body as the policy that changes nothing', () => {
    expect(validateResourcePolicy({}, KEYS)).toEqual({
      policy: NO_POLICY,
      problems: [],
    });
  });

  it('keeps metadata rules under the key as the resource declares it, and de-duplicates enum values', () => {
    const { policy, problems } = validateResourcePolicy(
      { metadataValues: { INNTEKTSAAR: { enum: ['2024', '2024', '2025'] } } },
      KEYS,
    );
    expect(problems).toEqual([]);
    expect(policy.metadataValues).toEqual({ inntektsaar: { enum: ['2024', '2025'] } });
  });

  it('takes applyToExistingConsents as a boolean only', () => {
    expect(
      validateResourcePolicy({ applyToExistingConsents: true }, KEYS).policy.applyToExistingConsents,
    ).toBe(true);
    for (const applyToExistingConsents of ['true', 1])
      expect(paths({ applyToExistingConsents })).toEqual(['$.applyToExistingConsents']);
  });

  it('ignores the read-only members GET returns', () => {
    expect(paths({ resource: 'x', updatedAt: 'y', updatedBy: null, maxValidity: 'P1Y' })).toEqual([]);
  });

  it('refuses durations that are not positive date durations or exceed a century', () => {
    for (const maxValidity of ['PT1H', 'P0D', '1Y', 'P101Y', 3, ''])
      expect(paths({ maxValidity })).toEqual(['$.maxValidity']);
    expect(paths({ maxValidity: 'P100Y' })).toEqual([]);
  });

  it('refuses credentials and fragments in allow-listed URLs, and too many URLs for one consumer', () => {
    expect(paths({ redirectAllowList: { '*': ['https://u:p@bank.example/'] } })).toEqual([
      '$.redirectAllowList["*"][0]',
    ]);
    expect(paths({ redirectAllowList: { '*': ['https://bank.example/#x'] } })).toEqual([
      '$.redirectAllowList["*"][0]',
    ]);
    expect(
      paths({ redirectAllowList: { '*': Array.from({ length: 21 }, (_, i) => `https://b.example/${i}`) } }),
    ).toEqual(['$.redirectAllowList["*"]']);
    expect(paths({ redirectAllowList: { '*': [] } })).toEqual(['$.redirectAllowList["*"]']);
  });

  it('refuses a pattern RE2 cannot run in linear time, and an over-long one', () => {
    for (const pattern of ['(a)\\1', '(?=a)a', 'x'.repeat(501), ''])
      expect(paths({ metadataValues: { kontonr: { pattern } } })).toEqual([
        '$.metadataValues.kontonr.pattern',
      ]);
  });

  it('refuses unknown members inside a metadata rule', () => {
    expect(paths({ metadataValues: { kontonr: { pattern: '[0-9]+', flags: 'i' } } })).toEqual([
      '$.metadataValues.kontonr.flags',
    ]);
  });

  it('refuses callsPerDay that is not a positive integer', () => {
    for (const callsPerDay of [0, -1, 1.5, '10', 100_000_001])
      expect(paths({ callsPerDay })).toEqual(['$.callsPerDay']);
  });

  it('refuses expiryReminderDays outside 1 to 365 days', () => {
    for (const expiryReminderDays of [0, 366, 2.5, '30'])
      expect(paths({ expiryReminderDays })).toEqual(['$.expiryReminderDays']);
    expect(paths({ expiryReminderDays: 365 })).toEqual([]);
  });

  it('refuses a body that is not an object', () => {
    for (const raw of [null, [], 'x']) expect(paths(raw)).toEqual(['$']);
  });
});
