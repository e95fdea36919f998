/**
 * What other contexts (consents, portal, gateway, guide) get from ResourcesService. A stable,
 * flattened view of one version of a consent resource; never a Prisma row.
 */
export interface ConsentResourceView {
  identifier: string;
  versionId: string;
  /** Version sequence number, 1 for the first version. */
  version: number;
  ownerOrgcode: string;
  ownerOrgNumber: string;
  title: Record<'nb' | 'nn' | 'en', string>;
  description?: Record<string, string>;
  /** Markdown with `{key}` placeholders naming keys of `consentMetadata`. */
  consentText: Record<'nb' | 'nn' | 'en', string>;
  consentMetadata: Record<string, { optional: boolean }>;
  consentTemplate: string;
  isOneTimeConsent: boolean;
  accessListMode: 'Disabled' | 'Enabled';
  consentRoles: string[];
  /** From `resourceReferences` with `referenceType: "MaskinportenScope"`. */
  scopes: string[];
  availableForType: string[];
  contactPoints: { category?: string; email?: string; telephone?: string; contactPage?: string }[];
  delegable: boolean;
}

/**
 * A `{key}` placeholder in a consent text. Anything in braces without whitespace counts, so a
 * typo such as `{inntekts-aar}` is reported as undeclared instead of being shown verbatim.
 * Exported so renderers substitute exactly what the registry validated.
 */
export const CONSENT_TEXT_PLACEHOLDER = /\{([^{}\s]+)\}/g;

/** The distinct placeholder keys in a consent text, in order of first use. */
export function consentTextPlaceholders(text: string): string[] {
  return [...new Set([...text.matchAll(CONSENT_TEXT_PLACEHOLDER)].map((m) => m[1]))];
}
