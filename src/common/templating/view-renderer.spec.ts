import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { viewsDirBeside, ViewRenderer } from './view-renderer.js';

const dir = mkdtempSync(path.join(tmpdir(), 'views-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const template = (name: string, text: string) => writeFileSync(path.join(dir, name), text);

template('text.njk', '<p title="{{ v }}">{{ v }}</p>');
template('safe.njk', '<div>{{ html | safe }}</div>');
template('layout.njk', '<main>{% block content %}{% endblock %}</main>');
template('page.njk', '{% extends "layout.njk" %}{% block content %}<h1>{{ title }}</h1>{% endblock %}');
template('json.njk', '<pre>{{ value | dump(2) }}</pre>');

describe('ViewRenderer', () => {
  const views = new ViewRenderer(`${dir}/`);

  it('escapes every value, in text and in attributes', () => {
    expect(views.render('text.njk', { v: `<script>alert("x")</script>'&` })).toBe(
      '<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39;&amp;">' +
        '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39;&amp;</p>',
    );
  });

  it('never lets a value open a tag or leave an attribute (property)', () => {
    fc.assert(
      fc.property(fc.string(), (v) => {
        const html = views.render('text.njk', { v });
        const inner = html.slice('<p title="'.length, html.indexOf('">'));
        expect(inner).not.toMatch(/[<>"']/);
        expect(html.match(/</g)).toHaveLength(2);
      }),
    );
  });

  it('escapes JSON written into a page too', () => {
    expect(views.render('json.njk', { value: { a: '</pre><script>' } })).toBe(
      '<pre>{\n  &quot;a&quot;: &quot;&lt;/pre&gt;&lt;script&gt;&quot;\n}</pre>',
    );
  });

  it('passes HTML through only where a template says `| safe`', () => {
    expect(views.render('safe.njk', { html: '<em>ok</em>' })).toBe('<div><em>ok</em></div>');
  });

  it('renders layouts and refuses a template that does not exist', () => {
    expect(views.render('page.njk', { title: 'A & B' })).toBe('<main><h1>A &amp; B</h1></main>');
    expect(() => views.render('missing.njk', {})).toThrow(/missing\.njk/);
  });

  it('finds the views folder beside a module', () => {
    expect(viewsDirBeside('file:///srv/app/dist/portal/portal-views.js')).toBe('/srv/app/dist/portal/views/');
  });
});
