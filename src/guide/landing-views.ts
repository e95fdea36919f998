/**
 * `GET /`: where a person who opens the service's address in a browser finds its parts — the API
 * reference, the end-user portal, the integration guides, health. Bokmål and English, like the
 * guide, on the common renderer and i18n; no script, nothing loaded from elsewhere.
 */
import { Injectable } from '@nestjs/common';
import { Dictionary } from '../common/i18n/dictionary.js';
import { viewsDirBeside, ViewRenderer } from '../common/templating/view-renderer.js';
import type { GuideLang } from './guide-texts.js';

const nb = {
  title: 'consent-gateway',
  lead: 'Samtykkeflyten fra Altinn 3 og API-gatewayen som håndhever den.',
  otherLanguage: 'English',
  docs: 'API-dokumentasjon (Swagger)',
  docsJson: 'OpenAPI-dokumentet (JSON)',
  portal: 'Samtykkeportalen: dine aktive samtykker',
  guides: 'Integrasjonsveiledninger',
  noGuides: 'Ingen samtykkeressurser er registrert ennå.',
  operations: 'Drift',
  health: 'Helse (klar til å ta imot trafikk)',
  metadata: 'Metadata for token-utstederen (RFC 8414)',
  jwks: 'Offentlige signeringsnøkler (JWKS)',
};

const en: typeof nb = {
  title: 'consent-gateway',
  lead: 'The Altinn 3 consent flow and the API gateway that enforces it.',
  otherLanguage: 'Norsk (bokmål)',
  docs: 'API reference (Swagger)',
  docsJson: 'The OpenAPI document (JSON)',
  portal: 'The consent portal: your active consents',
  guides: 'Integration guides',
  noGuides: 'No consent resources are registered yet.',
  operations: 'Operations',
  health: 'Health (ready for traffic)',
  metadata: 'Token issuer metadata (RFC 8414)',
  jwks: 'Public signing keys (JWKS)',
};

const LANDING_TEXTS = new Dictionary<typeof nb>({ nb, en });

export interface LandingGuide {
  identifier: string;
  title: string;
}

@Injectable()
export class LandingViews {
  private readonly renderer = new ViewRenderer(viewsDirBeside(import.meta.url));

  page(lang: GuideLang, guides: LandingGuide[]): string {
    const other: GuideLang = lang === 'nb' ? 'en' : 'nb';
    const t = LANDING_TEXTS.in(lang);
    return this.renderer.render('landing.njk', {
      t,
      lang,
      title: t.title,
      alternate: { lang: other, href: `/?lang=${other}` },
      guides,
    });
  }
}
