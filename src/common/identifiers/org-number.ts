/**
 * Norwegian organisation number (organisasjonsnummer), DESIGN §9.
 * 9 digits; the last is a mod-11 check digit over the first 8 with weights 3,2,7,6,5,4,3,2.
 */
const ORG_WEIGHTS = [3, 2, 7, 6, 5, 4, 3, 2] as const;
const ORG_NUMBER = /^[0-9]{9}$/;

/** True when `s` is exactly 9 ASCII digits with a correct check digit (never `000000000`). */
export function isValidOrgNumber(s: unknown): s is string {
  if (typeof s !== 'string' || !ORG_NUMBER.test(s)) return false;
  // All zeros passes the arithmetic (Σ = 0 → check 0) but is not an organisation.
  if (s === '000000000') return false;
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += ORG_WEIGHTS[i] * (s.charCodeAt(i) - 48);
  const r = sum % 11;
  if (r === 1) return false; // check digit would be 10: such numbers are never issued
  const check = r === 0 ? 0 : 11 - r;
  return check === s.charCodeAt(8) - 48;
}
