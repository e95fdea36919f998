/**
 * A CSV upload of access-list members (issue 20: "members addable by a CSV upload"), e.g. an
 * export from a spreadsheet or the Brønnøysund download: one organisation per line, the first
 * column holding a 9-digit org number or a party URN. A first line that is not one (a header
 * such as `organisasjonsnummer;navn`) is skipped; spaces inside a number (`984 851 006`) are
 * allowed. The entries then go through the same rules as the JSON body (≤ 100, each
 * checksum-validated, one 400 naming every bad line as `$.data[i]`).
 */
import { parse } from 'csv-parse/sync';
import { DomainError } from '../common/errors/domain-error.js';
import { INVALID_VALUE } from '../common/errors/validation-errors.js';
import { ORGANIZATION_URN_PREFIX } from '../common/identifiers/party-urn.js';

const NUMBER = /^[0-9 ]{9,11}$/;

export function memberUrnsFromCsv(text: string): string[] {
  const firstLine = text.split('\n', 1)[0];
  const delimiter = firstLine.split(';').length > firstLine.split(',').length ? ';' : ',';
  let rows: string[][];
  try {
    rows = parse(text, {
      delimiter,
      bom: true,
      skip_empty_lines: true,
      trim: true,
      relax_column_count: true,
      to: 1000,
    });
  } catch (err) {
    throw DomainError.validation([
      {
        code: INVALID_VALUE,
        title: `The CSV cannot be read: ${err instanceof Error ? err.message : 'unreadable'}`,
        paths: ['$'],
      },
    ]);
  }
  const first = rows[0]?.[0] ?? '';
  if (rows.length && !NUMBER.test(first) && !first.startsWith(ORGANIZATION_URN_PREFIX)) rows = rows.slice(1);
  if (rows.length === 0)
    throw DomainError.validation([
      { code: INVALID_VALUE, title: 'The CSV names no organisations.', paths: ['$'] },
    ]);
  return rows.map((r) => {
    const cell = r[0] ?? '';
    return NUMBER.test(cell) ? ORGANIZATION_URN_PREFIX + cell.replace(/ /g, '') : cell;
  });
}
