/**
 * The guide as a plain, accessible HTML page (no JavaScript). Every value from the registry is
 * HTML-escaped; the resource's markdown texts are shown as text, not rendered, so an owner's
 * content can never inject markup into the guide.
 */
import type { ConsentResourceView } from '../resources/consent-resource.view.js';
import type { GuideDto } from './dto/guide.dto.js';
import { GUIDE_TEXTS, type GuideLang } from './guide-texts.js';

/** The page may load nothing and run nothing; only its own inline styles. */
export const GUIDE_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export function esc(value: string | number | null | undefined): string {
  return String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const STYLE = `
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;line-height:1.5;margin:0;color:#1a1a1a;background:#fff}
main{max-width:52rem;margin:0 auto;padding:1rem}
h1{font-size:1.75rem;margin:.5rem 0}h2{font-size:1.3rem;margin-top:2rem;border-bottom:1px solid #ccc}
pre{background:#f4f4f4;padding:.75rem;overflow-x:auto;font-size:.875rem;border-radius:4px}
code{font-family:ui-monospace,Menlo,Consolas,monospace}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid #ddd;vertical-align:top}
nav a{margin-right:1rem}a{color:#0b5cad}
.meta{color:#444}
`;

function page(lang: GuideLang, title: string, body: string, alternates: string): string {
  return `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
${alternates}
<style>${STYLE}</style>
</head>
<body>
<main id="main">
${body}
</main>
</body>
</html>
`;
}

function table(headers: string[], rows: string[][]): string {
  return `<table><thead><tr>${headers.map((h) => `<th scope="col">${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

const json = (v: unknown) => `<pre><code>${esc(JSON.stringify(v, null, 2))}</code></pre>`;

export interface GuidePageContext {
  guide: GuideDto;
  view: ConsentResourceView;
  lang: GuideLang;
  /** Path of this guide, e.g. `/guide/skd-inntekt`. */
  path: string;
  publicUrl: string;
}

export function renderGuidePage({ guide, view, lang, path, publicUrl }: GuidePageContext): string {
  const t = GUIDE_TEXTS[lang];
  const title = guide.title[lang] ?? guide.title.nb;
  const ownerName = guide.owner.name?.[lang] ?? guide.owner.name?.nb ?? guide.owner.orgcode;
  const description = view.description?.[lang] ?? view.description?.nb;
  const other: GuideLang = lang === 'nb' ? 'en' : 'nb';
  const ownerScopes = new Set(guide.scopes.filter((s) => !s.startsWith('altinn:')));

  const parts: string[] = [];
  parts.push(`<nav aria-label="${lang === 'nb' ? 'Språk og format' : 'Language and format'}">
<a href="${esc(path)}?lang=${other}" hreflang="${other}" lang="${other}">${other === 'en' ? 'English' : 'Norsk (bokmål)'}</a>
<a href="${esc(path)}?lang=${lang}" type="application/json" rel="alternate">${esc(t.jsonLink)}</a> <span class="meta">(Accept: application/json)</span>
</nav>`);
  parts.push(`<p class="meta">${esc(t.pageTitle)}</p><h1>${esc(title)}</h1>`);
  parts.push(
    `<p>${esc(t.resourceId)}: <code>${esc(guide.resource)}</code> · ${esc(t.owner)}: ${esc(ownerName)} (${esc(t.orgNo)} ${esc(guide.owner.orgNumber)})</p>`,
  );
  if (description) parts.push(`<p>${esc(description)}</p>`);
  parts.push(`<p>${esc(t.lead)}</p>`);
  parts.push(`<p>${esc(view.isOneTimeConsent ? t.oneTime : t.timeLimited)}</p>`);

  parts.push(
    `<h2>${esc(t.step1)}</h2><p>${esc(t.scopesIntro)}</p><ul>${guide.scopes
      .map(
        (s) =>
          `<li><code>${esc(s)}</code> — ${esc(ownerScopes.has(s) ? t.scopeOwner : t.scopePlatform)}</li>`,
      )
      .join('')}</ul>`,
  );
  parts.push(`<p>${esc(view.accessListMode === 'Enabled' ? t.accessListOn : t.accessListOff)}</p>`);
  if (guide.contactPoints.length)
    parts.push(
      `<p>${esc(t.contact)}:</p><ul>${guide.contactPoints
        .map(
          (c) =>
            `<li>${[c.category, c.email, c.telephone, c.contactPage].filter(Boolean).map(esc).join(' · ')}</li>`,
        )
        .join('')}</ul>`,
    );

  parts.push(`<h2>${esc(t.step2)}</h2>`);
  if (guide.metadata.length) {
    parts.push(`<p>${esc(t.metadataIntro)}</p>`);
    parts.push(
      table(
        [t.key, t.required],
        guide.metadata.map((m) => [`<code>${esc(m.key)}</code>`, esc(m.optional ? t.no : t.yes)]),
      ),
    );
  } else parts.push(`<p>${esc(t.noMetadata)}</p>`);
  parts.push(`<p>${esc(t.requestIntro)}</p>`);
  parts.push(
    `<pre><code>POST ${esc(publicUrl)}/accessmanagement/api/v1/enterprise/consentrequests</code></pre>`,
  );
  parts.push(json(guide.consentRequestExample));
  parts.push(`<p>${esc(t.requestAfter)}</p>`);
  if (guide.consentRoles.length)
    parts.push(
      `<p>${esc(t.rolesIntro)} ${guide.consentRoles.map((r) => `<code>${esc(r)}</code>`).join(', ')}</p>`,
    );

  parts.push(
    `<h2>${esc(t.step3)}</h2><p>${esc(t.tokenIntro)} <code>POST ${esc(publicUrl)}/token</code>:</p>`,
  );
  parts.push(json(guide.tokenAssertionExample));
  parts.push(
    `<pre><code>grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&amp;assertion=&lt;JWT&gt;</code></pre><p>${esc(t.tokenAfter)}</p>`,
  );

  parts.push(`<h2>${esc(t.step4)}</h2>`);
  if (!guide.gateway) parts.push(`<p>${esc(t.gatewayMissing)}</p>`);
  else {
    const g = guide.gateway;
    parts.push(`<p>${esc(t.gatewayUrl)}: <code>${esc(g.url)}</code></p>`);
    parts.push(`<h3>${esc(t.youSend)}</h3>`);
    parts.push(
      table(
        [t.header, t.meaning],
        g.requestHeaders.map((h) => [`<code>${esc(h.name)}</code>`, esc(h.description)]),
      ),
    );
    parts.push(`<h3>${esc(t.upstreamGets)}</h3>`);
    parts.push(
      table(
        [t.header, t.meaning],
        g.headers.map((h) => [`<code>${esc(h.name)}</code>`, esc(h.description)]),
      ),
    );
  }

  const alternates = `<link rel="alternate" hreflang="${other}" href="${esc(path)}?lang=${other}">`;
  return page(lang, `${t.pageTitle}: ${title}`, parts.join('\n'), alternates);
}

export function renderNotFoundPage(lang: GuideLang): string {
  const t = GUIDE_TEXTS[lang];
  return page(lang, t.notFoundTitle, `<h1>${esc(t.notFoundTitle)}</h1><p>${esc(t.notFound)}</p>`, '');
}
