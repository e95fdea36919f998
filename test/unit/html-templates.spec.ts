/**
 * The one escaping policy (common/templating/view-renderer.ts), held over every template and
 * every source file: HTML comes from templates with autoescape on, and only HTML the service
 * sanitised itself may be marked safe.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'src');

function files(dir: string, pick: (f: string) => boolean): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) return name === 'generated' ? [] : files(p, pick);
    return pick(p) ? [p] : [];
  });
}

/** `template: value` marked safe, each with the sanitiser that produced it. */
const SAFE = new Set([
  'portal/views/request.njk: consentHtml', // consent markdown, portal/consent-markdown.ts
  'portal/views/consent-text.njk: r.html', // the same, per resource
  'portal/views/receipt.njk: r.receiptHtml', // the stored receipt: that same HTML as it was shown
  'portal/views/extension.njk: extension.consentHtml', // consent markdown for an extension's new terms
]);

describe('HTML templates', () => {
  const templates = files(SRC, (f) => f.endsWith('.njk'));

  it('exist for the portal and the guide', () => {
    const rel = templates.map((t) => path.relative(SRC, t));
    expect(rel).toEqual(expect.arrayContaining(['portal/views/layout.njk', 'guide/views/guide.njk']));
  });

  it('mark only sanitised HTML as safe, and never turn autoescaping off', () => {
    const found: string[] = [];
    for (const t of templates) {
      const text = readFileSync(t, 'utf8');
      expect(text).not.toMatch(/autoescape|\|\s*escape\s*\(?\s*false|markSafe/);
      for (const m of text.matchAll(/\{\{\s*([^}|]+?)\s*\|\s*safe\s*\}\}/g))
        found.push(`${path.relative(SRC, t)}: ${m[1]}`);
    }
    expect(found.sort()).toEqual([...SAFE].sort());
  });

  it('are the only place HTML is written: no source file builds markup in strings', () => {
    const offenders = files(SRC, (f) => f.endsWith('.ts') && !f.endsWith('.spec.ts')).filter((f) =>
      /<\/(?:p|div|h[1-6]|table|tr|td|li|ul|a|span|main|body|html|code|pre)>/.test(readFileSync(f, 'utf8')),
    );
    expect(offenders.map((f) => path.relative(SRC, f))).toEqual([]);
  });
});
