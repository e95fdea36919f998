/**
 * Unique, checksum-valid Norwegian identifiers for tests (DESIGN §9), so parallel test files
 * and repeated runs never collide.
 */
const ORG_WEIGHTS = [3, 2, 7, 6, 5, 4, 3, 2];
let orgCounter = Math.floor(Math.random() * 500_000);

export function orgNumber(): string {
  for (;;) {
    orgCounter = (orgCounter + 7919) % 100_000_000;
    const base = String(10_000_000 + (orgCounter % 89_999_999)).padStart(8, '0');
    const sum = base.split('').reduce((s, d, i) => s + Number(d) * ORG_WEIGHTS[i], 0);
    const r = sum % 11;
    if (r === 1) continue;
    const check = r === 0 ? 0 : 11 - r;
    const n = `${base}${check}`;
    if (n !== '000000000') return n;
  }
}

const K1 = [3, 7, 6, 1, 8, 9, 4, 5, 2];
const K2 = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2];
let personCounter = Math.floor(Math.random() * 900);

/** A valid (synthetic-free, classic-rule) national identity number. */
export function personNumber(): string {
  for (;;) {
    personCounter = (personCounter + 1) % 1000;
    const day = String(1 + (personCounter % 28)).padStart(2, '0');
    const month = String(1 + (Math.floor(personCounter / 28) % 12)).padStart(2, '0');
    const year = '85';
    const ind = String(100 + ((personCounter * 37) % 400)).padStart(3, '0');
    const nine = `${day}${month}${year}${ind}`;
    const s1 = nine.split('').reduce((s, d, i) => s + Number(d) * K1[i], 0);
    let k1 = 11 - (s1 % 11);
    if (k1 === 11) k1 = 0;
    if (k1 === 10) continue;
    const ten = `${nine}${k1}`;
    const s2 = ten.split('').reduce((s, d, i) => s + Number(d) * K2[i], 0);
    let k2 = 11 - (s2 % 11);
    if (k2 === 11) k2 = 0;
    if (k2 === 10) continue;
    return `${ten}${k2}`;
  }
}

let codeCounter = 0;
/** A unique lowercase org code / identifier fragment. */
export function uniqueCode(prefix = 'o'): string {
  codeCounter++;
  return `${prefix}${Date.now().toString(36)}${codeCounter.toString(36)}${Math.floor(Math.random() * 1e4).toString(36)}`;
}
