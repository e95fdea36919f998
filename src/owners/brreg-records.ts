/**
 * Reads the Brønnøysund Register Centre's open data (data.brreg.no, Enhetsregisteret) into
 * register rows, for the bulk import (HTTP and `npm run orgs -- import`). Accepted shapes:
 * - JSON: an array of units, or the API's page `{_embedded: {enheter | underenheter: [...]}}`;
 *   `organisasjonsform` as the API's object `{kode, beskrivelse}` or as a plain code;
 * - CSV (the "last ned" files): a header row naming `organisasjonsnummer`, `navn`,
 *   `organisasjonsform.kode` (or `organisasjonsform`) and optionally `overordnetEnhet`;
 *   comma- or semicolon-separated, RFC 4180 quoting.
 * Every row is checked; problems name the row (`$[3].organisasjonsnummer`), and one bad row
 * refuses the whole file, so an import never half-happens.
 */
import { parse as parseCsv } from 'csv-parse/sync';
import type { ValidationProblem } from '../common/errors/domain-error.js';
import { INVALID_VALUE, REQUIRED } from '../common/errors/validation-errors.js';
import { isValidOrgNumber } from '../common/identifiers/org-number.js';
import {
  IMPORT_MAX_ROWS,
  ORGANIZATION_FORM_PATTERN,
  ORGANIZATION_NAME_MAX,
  type OrganizationInput,
} from './organization.view.js';

export type BrregParseResult = { rows: OrganizationInput[] } | { problems: ValidationProblem[] };

const MAX_PROBLEMS = 100;

function unitsOf(json: unknown): unknown[] | null {
  if (Array.isArray(json)) return json;
  if (typeof json !== 'object' || json === null) return null;
  const embedded = (json as { _embedded?: unknown })._embedded;
  if (typeof embedded !== 'object' || embedded === null) return null;
  const e = embedded as { enheter?: unknown; underenheter?: unknown };
  const units = [
    ...(Array.isArray(e.enheter) ? e.enheter : []),
    ...(Array.isArray(e.underenheter) ? e.underenheter : []),
  ];
  return Array.isArray(e.enheter) || Array.isArray(e.underenheter) ? units : null;
}

function formCode(v: unknown): unknown {
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) return (v as { kode?: unknown }).kode;
  return v;
}

const blank = (v: unknown) => v === undefined || v === null || v === '';

/** One unit → a row, or the problems of that row. */
function toRow(unit: unknown, at: string, problems: ValidationProblem[]): OrganizationInput | null {
  if (typeof unit !== 'object' || unit === null || Array.isArray(unit)) {
    problems.push({ code: INVALID_VALUE, title: 'Each unit must be an object.', paths: [at] });
    return null;
  }
  const u = unit as Record<string, unknown>;
  const before = problems.length;
  const orgNumber =
    typeof u.organisasjonsnummer === 'string' ? u.organisasjonsnummer.trim() : u.organisasjonsnummer;
  if (blank(orgNumber))
    problems.push({
      code: REQUIRED,
      title: 'organisasjonsnummer is required.',
      paths: [`${at}.organisasjonsnummer`],
    });
  else if (!isValidOrgNumber(orgNumber))
    problems.push({
      code: INVALID_VALUE,
      title: 'organisasjonsnummer must be a valid 9-digit organisation number.',
      paths: [`${at}.organisasjonsnummer`],
    });
  const name = typeof u.navn === 'string' ? u.navn.trim() : u.navn;
  if (blank(name)) problems.push({ code: REQUIRED, title: 'navn is required.', paths: [`${at}.navn`] });
  else if (typeof name !== 'string' || name.length > ORGANIZATION_NAME_MAX)
    problems.push({
      code: INVALID_VALUE,
      title: `navn must be text of at most ${ORGANIZATION_NAME_MAX} characters.`,
      paths: [`${at}.navn`],
    });
  const form = formCode(u.organisasjonsform ?? u['organisasjonsform.kode']);
  if (!blank(form) && (typeof form !== 'string' || !ORGANIZATION_FORM_PATTERN.test(form)))
    problems.push({
      code: INVALID_VALUE,
      title: 'organisasjonsform must be an organisation form code such as AS or ORGL.',
      paths: [`${at}.organisasjonsform`],
    });
  const parent = u.overordnetEnhet;
  if (!blank(parent) && (!isValidOrgNumber(parent) || parent === orgNumber))
    problems.push({
      code: INVALID_VALUE,
      title: 'overordnetEnhet must be the valid organisation number of another unit.',
      paths: [`${at}.overordnetEnhet`],
    });
  if (problems.length > before) return null;
  return {
    orgNumber: orgNumber as string,
    name: { nb: name as string },
    organizationForm: blank(form) ? null : (form as string),
    parentOrgNumber: blank(parent) ? null : (parent as string),
  };
}

function rowsOf(units: unknown[]): BrregParseResult {
  if (units.length === 0)
    return { problems: [{ code: REQUIRED, title: 'The file holds no units.', paths: ['$'] }] };
  if (units.length > IMPORT_MAX_ROWS)
    return {
      problems: [
        {
          code: INVALID_VALUE,
          title: `At most ${IMPORT_MAX_ROWS} units per import; split the file.`,
          paths: ['$'],
        },
      ],
    };
  const problems: ValidationProblem[] = [];
  const rows: OrganizationInput[] = [];
  const seen = new Set<string>();
  units.forEach((unit, i) => {
    if (problems.length >= MAX_PROBLEMS) return;
    const row = toRow(unit, `$[${i}]`, problems);
    if (!row) return;
    if (seen.has(row.orgNumber))
      problems.push({
        code: INVALID_VALUE,
        title: `organisasjonsnummer ${row.orgNumber} appears more than once.`,
        paths: [`$[${i}].organisasjonsnummer`],
      });
    seen.add(row.orgNumber);
    rows.push(row);
  });
  return problems.length ? { problems } : { rows };
}

/** Parsed JSON (from the HTTP body or a file) → rows. */
export function parseBrregJson(json: unknown): BrregParseResult {
  const units = unitsOf(json);
  if (!units)
    return {
      problems: [
        {
          code: INVALID_VALUE,
          title: 'Expected an array of units or a page with _embedded.enheter / _embedded.underenheter.',
          paths: ['$'],
        },
      ],
    };
  return rowsOf(units);
}

/** CSV text → rows. The header row names the columns; unknown columns are ignored. */
export function parseBrregCsv(text: string): BrregParseResult {
  const firstLine = text.slice(0, text.indexOf('\n') === -1 ? text.length : text.indexOf('\n'));
  const delimiter = firstLine.split(';').length > firstLine.split(',').length ? ';' : ',';
  let records: Record<string, string>[];
  try {
    records = parseCsv(text, {
      columns: true,
      delimiter,
      bom: true,
      skip_empty_lines: true,
      trim: true,
      relax_column_count: true,
      to: IMPORT_MAX_ROWS + 1,
    });
  } catch (err) {
    const message = err instanceof Error ? err.message : 'unreadable';
    return { problems: [{ code: INVALID_VALUE, title: `The CSV cannot be read: ${message}`, paths: ['$'] }] };
  }
  if (records.length > 0 && !('organisasjonsnummer' in records[0]))
    return {
      problems: [
        { code: REQUIRED, title: 'The CSV header must name the column organisasjonsnummer.', paths: ['$'] },
      ],
    };
  return rowsOf(records);
}
