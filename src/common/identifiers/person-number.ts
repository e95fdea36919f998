/**
 * Norwegian national identity number (fødselsnummer), D-number and synthetic test numbers,
 * DESIGN §9. Layout: DDMMYY III K1 K2.
 *
 * - D-number: day + 40. H-number / NAV synthetic: month + 40. Tenor synthetic: month + 80.
 *   D and synthetic offsets may combine (synthetic D-numbers exist).
 * - K1 weights 3,7,6,1,8,9,4,5,2. Classic rule: (Σ + K1) mod 11 = 0. From 2032 Skatteetaten
 *   issues numbers whose K1 satisfies (Σ + K1) mod 11 ∈ {0,1,2,3}. The new numbers can belong to
 *   people born at any time (immigrants get D-numbers as adults), so the number itself does not
 *   tell which rule was used: we accept the relaxed rule for every number.
 * - K2 weights 5,4,3,2,7,6,5,4,3,2 over the first ten digits: (Σ + K2) mod 11 = 0.
 * - The date, with offsets removed, must be a real calendar day. We do not derive the century
 *   from the individual number (synthetic and post-2032 numbers do not follow that table), so
 *   29 February is accepted whenever YY is divisible by 4 (2000 is a leap year; 1900 is not but
 *   is indistinguishable). Future dates are accepted: test numbers use them.
 */
const K1_WEIGHTS = [3, 7, 6, 1, 8, 9, 4, 5, 2] as const;
const K2_WEIGHTS = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2] as const;
const PERSON_NUMBER = /^[0-9]{11}$/;
const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

function digitsOf(s: string): number[] {
  const d = new Array<number>(s.length);
  for (let i = 0; i < s.length; i++) d[i] = s.charCodeAt(i) - 48;
  return d;
}

function weightedSum(d: readonly number[], weights: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < weights.length; i++) sum += weights[i] * d[i];
  return sum;
}

function isPlausibleDate(rawDay: number, rawMonth: number, yy: number): boolean {
  const day = rawDay > 40 ? rawDay - 40 : rawDay;
  let month = rawMonth;
  if (month > 80) month -= 80;
  else if (month > 40) month -= 40;
  if (month < 1 || month > 12 || day < 1) return false;
  if (month === 2 && day === 29) return yy % 4 === 0;
  return day <= DAYS_IN_MONTH[month - 1];
}

/** True when `s` is 11 ASCII digits forming a checksum-valid fødselsnummer / D-number. */
export function isValidPersonNumber(s: unknown): s is string {
  if (typeof s !== 'string' || !PERSON_NUMBER.test(s)) return false;
  const d = digitsOf(s);
  if (!isPlausibleDate(d[0] * 10 + d[1], d[2] * 10 + d[3], d[4] * 10 + d[5])) return false;

  const k1Remainder = (weightedSum(d, K1_WEIGHTS) + d[9]) % 11;
  if (k1Remainder > 3) return false;

  const k2Remainder = (weightedSum(d, K2_WEIGHTS) + d[10]) % 11;
  return k2Remainder === 0;
}
