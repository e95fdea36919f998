// What refusing repeated JSON member names costs on a 100 kB body, against the parse it follows
// (src/common/http/json-duplicates.ts quotes the figures). `npm run build` first, then
// `node scripts/json-duplicates-cost.mjs`. A measurement to run by hand, not a test.
import secureJson from 'secure-json-parse';
import { repeatedMemberPaths } from '../dist/common/http/json-duplicates.js';

const items = [];
while (JSON.stringify(items).length < 100_000) {
  const i = items.length;
  items.push({
    identifier: `res-${i}`,
    title: { nb: `Tittel ${i}`, en: `Title "${i}" \\ x` },
    accessListMode: 'Disabled',
    resourceReferences: [{ reference: `o:s${i}`, referenceType: 'MaskinportenScope' }],
    n: i,
    ok: true,
  });
}
const text = JSON.stringify({ data: items });
const repeated = `${text.slice(0, -3)},"n":1}]}`;
// Fastify's parser: JSON.parse, then secure-json-parse's prototype scan.
const fastifyParse = (t) => secureJson.parse(t, null, { protoAction: 'error', constructorAction: 'error' });

function time(label, f, runs = 2000) {
  for (let i = 0; i < 200; i++) f();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < runs; i++) f();
  console.log(`${label}: ${(Number(process.hrtime.bigint() - t0) / 1e6 / runs).toFixed(3)} ms`);
}

console.log(`body: ${text.length} bytes`);
time('JSON.parse', () => JSON.parse(text));
time("Fastify's parser (secure-json-parse)", () => fastifyParse(text));
time("Fastify's parser + repeatedMemberPaths", () => repeatedMemberPaths(text, fastifyParse(text)));
time('a repeat found and located', () => repeatedMemberPaths(repeated, JSON.parse(repeated)), 300);
