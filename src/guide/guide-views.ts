/**
 * The guide as a plain, accessible HTML page (no JavaScript), from the templates in
 * `guide/views/` on the common renderer: every value from the registry is autoescaped, and
 * nothing is marked safe — the resource's markdown texts are shown as text, not rendered, so an
 * owner's content can never inject markup into the guide.
 */
import { Injectable } from '@nestjs/common';
import { viewsDirBeside, ViewRenderer } from '../common/templating/view-renderer.js';
import type { ConsentResourceView } from '../resources/consent-resource.view.js';
import type { GuideDto } from './dto/guide.dto.js';
import { GUIDE_TEXTS, type GuideLang } from './guide-texts.js';

/** The page may load nothing and run nothing; only its own inline styles. */
export const GUIDE_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export interface GuidePageContext {
  guide: GuideDto;
  view: ConsentResourceView;
  lang: GuideLang;
  /** Path of this guide, e.g. `/guide/skd-inntekt`. */
  path: string;
  publicUrl: string;
}

@Injectable()
export class GuideViews {
  private readonly renderer = new ViewRenderer(viewsDirBeside(import.meta.url));

  guidePage({ guide, view, lang, path, publicUrl }: GuidePageContext): string {
    const t = GUIDE_TEXTS.in(lang);
    const other: GuideLang = lang === 'nb' ? 'en' : 'nb';
    const resourceTitle = guide.title[lang] ?? guide.title.nb;
    const platformScope = (s: string) => s.startsWith('altinn:');
    return this.renderer.render('guide.njk', {
      t,
      lang,
      other,
      path,
      publicUrl,
      guide,
      title: `${t.pageTitle}: ${resourceTitle}`,
      resourceTitle,
      alternate: { lang: other, href: `${path}?lang=${other}` },
      ownerName: guide.owner.name?.[lang] ?? guide.owner.name?.nb ?? guide.owner.orgcode,
      description: view.description?.[lang] ?? view.description?.nb,
      oneTime: view.isOneTimeConsent,
      accessListEnabled: view.accessListMode === 'Enabled',
      scopes: guide.scopes.map((name) => ({ name, owners: !platformScope(name) })),
    });
  }

  notFoundPage(lang: GuideLang): string {
    const t = GUIDE_TEXTS.in(lang);
    return this.renderer.render('not-found.njk', { t, lang, title: t.notFoundTitle });
  }
}
