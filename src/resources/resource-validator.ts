import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import type { ValidationProblem } from '../common/errors/domain-error.js';
import {
  INVALID_VALUE,
  REQUIRED,
  toValidationProblems,
  UNKNOWN_FIELD,
} from '../common/errors/validation-errors.js';
import { LANGS } from '../common/i18n/languages.js';
import { isValidOrgNumber } from '../common/identifiers/index.js';
import { consentTextPlaceholders } from './consent-resource.view.js';
import {
  AVAILABLE_FOR_TYPES,
  DEFAULT_CONSENT_ROLES,
  MASKINPORTEN_SCOPE_PATTERN,
  METADATA_KEY_PATTERN,
  ResourceBodyDto,
} from './dto/resource.dto.js';
import { prototypeNamedMembers } from '../common/http/prototype-names.js';

const MAX_METADATA_KEYS = 50;
/** `GET /resource/resourcelist` is a fixed route, so a resource by that name could never be read. */
const RESERVED_IDENTIFIERS = new Set(['resourcelist']);

/** A resource body after validation, with every default filled in: exactly what is stored. */
export interface StoredResourceBody {
  identifier: string;
  title: { nb: string; nn: string; en: string };
  description?: Record<string, string>;
  hasCompetentAuthority: {
    orgcode: string;
    organization: string;
    name: { nb: string; nn: string; en: string };
  };
  resourceType: 'Consent';
  consentTemplate: string;
  consentText: { nb: string; nn: string; en: string };
  consentMetadata: Record<string, { optional: boolean }>;
  isOneTimeConsent: boolean;
  accessListMode: 'Disabled' | 'Enabled';
  delegable: boolean;
  availableForType: string[];
  resourceReferences: { referenceSource: string | null; reference: string; referenceType: string }[];
  contactPoints: { category?: string; email?: string; telephone?: string; contactPage?: string }[];
  consentRoles: string[];
}

export interface ValidatedResourceBody {
  /** The DTO; only meaningful when `problems` is empty. */
  dto: ResourceBodyDto;
  problems: ValidationProblem[];
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `$.a.b` for identifier-like keys, `$.a["b c"]` otherwise (JSONPath). */
function keyPath(parent: string, key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `${parent}.${key}` : `${parent}[${JSON.stringify(key)}]`;
}

/**
 * A missing field fails every constraint on it ("must be a string", "must match …"); the
 * client needs only "required". Drop the rest for paths that already say so.
 */
function withoutNoiseOnRequired(problems: ValidationProblem[]): ValidationProblem[] {
  const required = new Set(problems.filter((p) => p.code === REQUIRED).flatMap((p) => p.paths));
  const seen = new Set<string>();
  return problems.filter((p) => {
    if (p.code !== REQUIRED && p.paths.some((x) => required.has(x))) return false;
    // One "required" per path (isDefined and isNotEmpty both fire on a missing field).
    const key =
      p.code === REQUIRED ? `${p.code}|${p.paths.join(',')}` : `${p.code}|${p.title}|${p.paths.join(',')}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function metadataProblems(raw: unknown): { problems: ValidationProblem[]; keys: Set<string> } {
  const problems: ValidationProblem[] = [];
  const keys = new Set<string>();
  if (!isPlainObject(raw)) return { problems, keys }; // shape reported by @IsObject
  const entries = Object.entries(raw);
  if (entries.length > MAX_METADATA_KEYS)
    problems.push({
      code: INVALID_VALUE,
      title: `consentMetadata may declare at most ${MAX_METADATA_KEYS} keys`,
      paths: ['$.consentMetadata'],
    });
  for (const [key, value] of entries) {
    const path = keyPath('$.consentMetadata', key);
    if (!METADATA_KEY_PATTERN.test(key)) {
      problems.push({
        code: INVALID_VALUE,
        title: 'consentMetadata keys must be 1-50 letters, digits or _',
        paths: [path],
      });
      continue;
    }
    keys.add(key);
    if (!isPlainObject(value)) {
      problems.push({
        code: INVALID_VALUE,
        title: `${path} must be an object {optional: boolean}`,
        paths: [path],
      });
      continue;
    }
    if (value.optional === undefined)
      problems.push({ code: REQUIRED, title: `${path}.optional is required`, paths: [`${path}.optional`] });
    else if (typeof value.optional !== 'boolean')
      problems.push({
        code: INVALID_VALUE,
        title: 'optional must be a boolean value',
        paths: [`${path}.optional`],
      });
    for (const extra of Object.keys(value).filter((k) => k !== 'optional')) {
      const p = keyPath(path, extra);
      problems.push({ code: UNKNOWN_FIELD, title: `Unknown field ${p}`, paths: [p] });
    }
  }
  return { problems, keys };
}

function semanticProblems(body: Record<string, unknown>): ValidationProblem[] {
  const problems: ValidationProblem[] = [];

  if (typeof body.identifier === 'string' && RESERVED_IDENTIFIERS.has(body.identifier))
    problems.push({
      code: INVALID_VALUE,
      title: `identifier '${body.identifier}' is reserved`,
      paths: ['$.identifier'],
    });

  const meta = metadataProblems(body.consentMetadata);
  problems.push(...meta.problems);

  // Placeholders are checked against the well-formed keys only, so one typo is one problem.
  if (
    isPlainObject(body.consentText) &&
    (body.consentMetadata === undefined || isPlainObject(body.consentMetadata))
  ) {
    for (const lang of LANGS) {
      const text = body.consentText[lang];
      if (typeof text !== 'string') continue;
      const undeclared = consentTextPlaceholders(text).filter((k) => !meta.keys.has(k));
      if (undeclared.length)
        problems.push({
          code: INVALID_VALUE,
          title: `consentText.${lang} uses ${undeclared.map((k) => `{${k}}`).join(', ')}, not declared in consentMetadata`,
          paths: [`$.consentText.${lang}`],
        });
    }
  }

  const authority = body.hasCompetentAuthority;
  if (
    isPlainObject(authority) &&
    authority.organization !== undefined &&
    !isValidOrgNumber(authority.organization)
  )
    problems.push({
      code: INVALID_VALUE,
      title: 'organization must be a valid 9-digit organisation number',
      paths: ['$.hasCompetentAuthority.organization'],
    });

  if (Array.isArray(body.resourceReferences))
    body.resourceReferences.forEach((ref, i) => {
      if (
        !isPlainObject(ref) ||
        ref.referenceType !== 'MaskinportenScope' ||
        typeof ref.reference !== 'string'
      )
        return;
      if (!MASKINPORTEN_SCOPE_PATTERN.test(ref.reference))
        problems.push({
          code: INVALID_VALUE,
          title: 'A MaskinportenScope reference must be a scope such as skd:inntekt',
          paths: [`$.resourceReferences[${i}].reference`],
        });
    });

  if (Array.isArray(body.contactPoints))
    body.contactPoints.forEach((cp, i) => {
      if (!isPlainObject(cp)) return;
      if (cp.email === undefined && cp.telephone === undefined && cp.contactPage === undefined)
        problems.push({
          code: INVALID_VALUE,
          title: 'A contact point needs at least one of email, telephone or contactPage',
          paths: [`$.contactPoints[${i}]`],
        });
    });

  return problems;
}

/**
 * Field rules (class-validator, same options as the global pipe) plus the rules that span
 * fields, all collected so one 400 lists every problem (DESIGN §4, §6).
 */
export async function validateResourceBody(raw: unknown): Promise<ValidatedResourceBody> {
  if (!isPlainObject(raw))
    return {
      dto: new ResourceBodyDto(),
      problems: [{ code: INVALID_VALUE, title: 'The request body must be a JSON object', paths: ['$'] }],
    };
  // Before class-transformer, which fails on a member named `constructor` (see prototype-names.ts).
  const reserved = prototypeNamedMembers(raw);
  if (reserved.length) return { dto: new ResourceBodyDto(), problems: reserved };
  const dto = plainToInstance(ResourceBodyDto, raw);
  const errors = await validate(dto, {
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
  });
  const problems = withoutNoiseOnRequired([...toValidationProblems(errors), ...semanticProblems(raw)]);
  return { dto, problems };
}

function copyDefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/**
 * The body to store: defaults filled in, owner details from the registry, read-only fields
 * dropped. `current` is the stored resource on a PUT: an omitted `accessListMode` keeps its mode
 * there (RT3-7), where a create takes Altinn's default, `Disabled`.
 */
export function normalizeResourceBody(
  dto: ResourceBodyDto,
  owner: { orgcode: string; orgNumber: string; name: { nb: string; nn: string; en: string } },
  current?: { accessListMode: string },
): StoredResourceBody {
  const description: Record<string, string> = {};
  for (const lang of LANGS) {
    const text = dto.description?.[lang];
    if (text !== undefined) description[lang] = text;
  }
  const metadata: Record<string, { optional: boolean }> = {};
  for (const [k, v] of Object.entries(dto.consentMetadata ?? {})) metadata[k] = { optional: v.optional };
  return {
    identifier: dto.identifier,
    title: { nb: dto.title.nb, nn: dto.title.nn, en: dto.title.en },
    ...(Object.keys(description).length ? { description } : {}),
    hasCompetentAuthority: { orgcode: owner.orgcode, organization: owner.orgNumber, name: { ...owner.name } },
    resourceType: 'Consent',
    consentTemplate: dto.consentTemplate ?? 'default',
    consentText: { nb: dto.consentText.nb, nn: dto.consentText.nn, en: dto.consentText.en },
    consentMetadata: metadata,
    isOneTimeConsent: dto.isOneTimeConsent ?? false,
    accessListMode: dto.accessListMode ?? (current?.accessListMode === 'Enabled' ? 'Enabled' : 'Disabled'),
    delegable: dto.delegable ?? true,
    availableForType: dto.availableForType ? [...dto.availableForType] : [...AVAILABLE_FOR_TYPES],
    resourceReferences: (dto.resourceReferences ?? []).map((r) => ({
      referenceSource: r.referenceSource ?? null,
      reference: r.reference,
      referenceType: r.referenceType,
    })),
    contactPoints: (dto.contactPoints ?? []).map((c) =>
      copyDefined({
        category: c.category,
        email: c.email,
        telephone: c.telephone,
        contactPage: c.contactPage,
      }),
    ),
    consentRoles: dto.consentRoles ? [...dto.consentRoles] : [...DEFAULT_CONSENT_ROLES],
  };
}

/** Key-order-independent JSON (JSONB reorders keys), for "did anything change?". */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (isPlainObject(v))
    return `{${Object.keys(v)
      .filter((k) => v[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(v[k])}`)
      .join(',')}}`;
  return JSON.stringify(v);
}
