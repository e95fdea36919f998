import { describe, expect, it } from '@jest/globals';
import { escapeMarkdownText, renderConsentMarkdown, substituteMetadata } from './consent-markdown.js';

describe('consent markdown', () => {
  it('renders the owner’s markdown: emphasis, lists, http(s) and mailto links', () => {
    const html = renderConsentMarkdown(
      '**Inntekt** for\n\n- [vilkår](https://example.no/v)\n- [post](mailto:a@example.no)',
    );
    expect(html).toBe(
      '<p><strong>Inntekt</strong> for</p>\n<ul>\n' +
        '<li><a href="https://example.no/v" rel="noopener noreferrer">vilkår</a></li>\n' +
        '<li><a href="mailto:a@example.no" rel="noopener noreferrer">post</a></li>\n</ul>\n',
    );
  });

  it.each([
    ['[x](javascript:alert(1))'],
    ['[x](JAVASCRIPT:alert(1))'],
    ['[x](data:text/html;base64,PHNjcmlwdD4=)'],
    ['[x](vbscript:msgbox)'],
    ['[x](/relative/path)'],
    ['[x](//evil.example/)'],
    ['<javascript:alert(1)>'],
  ])('never turns %s into a link', (md) => {
    expect(renderConsentMarkdown(md)).not.toContain('<a ');
  });

  it('shows raw HTML as text and renders no images', () => {
    const html = renderConsentMarkdown(
      '<script>alert(1)</script> <b onclick="x">b</b> ![i](https://example.no/i.png)',
    );
    expect(html).not.toMatch(/<script|<b |<img/);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('escapes every markdown-significant character of a metadata value', () => {
    expect(escapeMarkdownText('[a](https://x) *b* _c_ `d` <e> # f\n1. g & h \\')).toBe(
      '\\[a\\]\\(https\\:\\/\\/x\\) \\*b\\* \\_c\\_ \\`d\\` \\<e\\> \\# f 1\\. g \\& h \\\\',
    );
  });

  it('substitutes metadata as literal text, so a value cannot add links, markup or lines', () => {
    const md = substituteMetadata('År **{year}**: {note}', {
      year: '<script>alert(1)</script>',
      note: '[click](https://evil.example) **bold**\n# heading\n    code',
    });
    const html = renderConsentMarkdown(md);
    expect(html).toBe(
      '<p>År <strong>&lt;script&gt;alert(1)&lt;/script&gt;</strong>: [click](https://evil.example) **bold** # heading     code</p>\n',
    );
  });

  it('leaves an optional key that was not sent empty, and ignores inherited properties', () => {
    expect(substituteMetadata('a{x}b{constructor}c', { y: '1' })).toBe('abc');
    expect(substituteMetadata('a{x}b', null)).toBe('ab');
  });
});
