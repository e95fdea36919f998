/**
 * `Accept` negotiation between JSON and HTML (RFC 9110 §12.5.1): JSON only when it is preferred
 * outright (a higher q, or the same q with a more specific range), so a browser (`text/html,…,
 * *\/*;q=0.8`) and a bare `*\/*` get the page, and `Accept: application/json` gets JSON.
 */
interface Range {
  type: string;
  subtype: string;
  q: number;
}

function parse(accept: string): Range[] {
  return accept
    .split(',')
    .map((part) => {
      const [media, ...params] = part.trim().toLowerCase().split(';');
      const [type, subtype] = media.trim().split('/');
      const qParam = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)).find(Boolean);
      const q = qParam ? Number(qParam[1]) : 1;
      return { type, subtype, q: Number.isFinite(q) ? q : 0 };
    })
    .filter((r) => r.type && r.subtype);
}

/** Quality and specificity (2 exact, 1 type/*, 0 *\/*) of the best range matching `type/subtype`. */
function quality(ranges: Range[], type: string, subtype: string): { q: number; specificity: number } {
  let best = { q: 0, specificity: -1 };
  for (const r of ranges) {
    const specificity =
      r.type === type && r.subtype === subtype
        ? 2
        : r.type === type && r.subtype === '*'
          ? 1
          : r.type === '*'
            ? 0
            : -1;
    if (specificity > best.specificity) best = { q: r.q, specificity };
  }
  return best.specificity < 0 ? { q: 0, specificity: -1 } : best;
}

export function wantsJson(accept: string | undefined): boolean {
  if (!accept) return false;
  const ranges = parse(accept);
  const json = quality(ranges, 'application', 'json');
  const html = quality(ranges, 'text', 'html');
  if (json.q <= 0) return false;
  return json.q > html.q || (json.q === html.q && json.specificity > html.specificity);
}
