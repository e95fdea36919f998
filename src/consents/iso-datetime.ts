/**
 * Strict ISO 8601 date-times as .NET's DateTimeOffset reads them on Altinn: a calendar date,
 * optionally a time with up to 7 fraction digits (kept to the millisecond) and an offset. A value
 * without an offset is UTC (Altinn runs in UTC). `Date.parse` is not used: it rolls 30 February
 * over into March and reads offset-less values in the server's local zone.
 */
const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?([Zz]|[+-]\d{2}:?\d{2})?)?$/;

export function parseIsoDateTime(s: unknown): Date | null {
  if (typeof s !== 'string' || s.length > 64) return null;
  const m = ISO.exec(s);
  if (!m) return null;
  const [, y, mo, d, h = '00', mi = '00', sec = '00', frac = '', zone = 'Z'] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(sec);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return null;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day > daysInMonth) return null;
  let offsetMinutes = 0;
  if (zone !== 'Z' && zone !== 'z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2));
    const om = Number(digits.slice(2, 4));
    if (oh > 14 || om > 59) return null;
    offsetMinutes = sign * (oh * 60 + om);
  }
  const ms = Number((frac + '000').slice(0, 3));
  const t = Date.UTC(year, month - 1, day, hour, minute, second, ms) - offsetMinutes * 60_000;
  const date = new Date(t);
  // Date.UTC maps years 0–99 to 1900–1999; such dates are nonsense for a consent anyway.
  if (Number.isNaN(t) || year < 1000) return null;
  return date;
}
