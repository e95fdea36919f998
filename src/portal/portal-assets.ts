/**
 * The portal's static assets, all self-hosted (no CDN: the CSP allows only 'self', and a public
 * service must not leak its visitors to a third party): Designsystemet — the design system of
 * Altinn and ID-porten — as its Digdir theme plus its component CSS, our own layout rules on top,
 * the Inter font it is drawn for, and the operator's logo when one is configured.
 *
 * Everything is read once at boot into memory; a request never touches the file system with a
 * name it chose (fonts are looked up in a fixed map).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { viewsDirBeside } from '../common/templating/view-renderer.js';

const require = createRequire(import.meta.url);

export interface StaticAsset {
  body: Buffer;
  contentType: string;
}

/** The weights the pages use (regular text, medium labels, semibold headings). */
const FONT_WEIGHTS = [400, 500, 600] as const;
/** Inter's Latin (incl. æ ø å) and Latin Extended subsets. */
const FONT_SUBSETS = ['latin', 'latin-ext'] as const;

function fontFaces(): string {
  const ranges: Record<(typeof FONT_SUBSETS)[number], string> = {
    latin:
      'U+0000-00FF, U+0131, U+0152-0153, U+02BB-02BC, U+02C6, U+02DA, U+02DC, U+0304, U+0308, U+0329, U+2000-206F, U+20AC, U+2122, U+2191, U+2193, U+2212, U+2215, U+FEFF, U+FFFD',
    'latin-ext':
      'U+0100-02BA, U+02BD-02C5, U+02C7-02CC, U+02CE-02D7, U+02DD-02FF, U+0304, U+0308, U+0329, U+1D00-1DBF, U+1E00-1E9F, U+1EF2-1EFF, U+2020, U+20A0-20AB, U+20AD-20C0, U+2113, U+2C60-2C7F, U+A720-A7FF',
  };
  return FONT_SUBSETS.flatMap((subset) =>
    FONT_WEIGHTS.map(
      (weight) =>
        `@font-face{font-family:Inter;font-style:normal;font-display:swap;font-weight:${weight};` +
        `src:url(/consent/assets/fonts/inter-${subset}-${weight}-normal.woff2) format('woff2');` +
        `unicode-range:${ranges[subset]}}`,
    ),
  ).join('\n');
}

@Injectable()
export class PortalAssets {
  /** Theme, components, fonts and our layout, in cascade order, as one file (one request). */
  readonly stylesheet: string;
  readonly fonts = new Map<string, StaticAsset>();
  readonly logo: StaticAsset | null;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    const theme = readFileSync(require.resolve('@digdir/designsystemet-theme/digdir.css'), 'utf8');
    const components = readFileSync(require.resolve('@digdir/designsystemet-css'), 'utf8');
    const ours = readFileSync(`${viewsDirBeside(import.meta.url)}portal.css`, 'utf8');
    // Each file starts with its own @charset; only the first one of a stylesheet counts.
    const strip = (css: string) => css.replace(/^@charset "UTF-8";\s*/i, '');
    this.stylesheet = ['@charset "UTF-8";', strip(theme), strip(components), fontFaces(), strip(ours)].join(
      '\n',
    );
    for (const subset of FONT_SUBSETS)
      for (const weight of FONT_WEIGHTS) {
        const name = `inter-${subset}-${weight}-normal.woff2`;
        this.fonts.set(name, {
          body: readFileSync(require.resolve(`@fontsource/inter/files/${name}`)),
          contentType: 'font/woff2',
        });
      }
    const logoFile = config.portal.logoFile;
    // A missing logo file fails the boot here, with the path in the message (not at first view).
    this.logo = logoFile
      ? {
          body: readFileSync(logoFile),
          contentType: logoFile.toLowerCase().endsWith('.svg') ? 'image/svg+xml' : 'image/png',
        }
      : null;
  }
}
