import { describe, expect, it } from '@jest/globals';
import { parseBrregCsv, parseBrregJson } from './brreg-records.js';

describe('Brønnøysund open data → register rows', () => {
  it('reads the API shape: organisasjonsform as an object, sub-units with overordnetEnhet', () => {
    expect(
      parseBrregJson({
        _embedded: {
          enheter: [
            { organisasjonsnummer: '974761076', navn: 'SKATTEETATEN', organisasjonsform: { kode: 'ORGL' } },
          ],
          underenheter: [{ organisasjonsnummer: '984851006', navn: 'AVD', overordnetEnhet: '974761076' }],
        },
      }),
    ).toEqual({
      rows: [
        {
          orgNumber: '974761076',
          name: { nb: 'SKATTEETATEN' },
          organizationForm: 'ORGL',
          parentOrgNumber: null,
        },
        { orgNumber: '984851006', name: { nb: 'AVD' }, organizationForm: null, parentOrgNumber: '974761076' },
      ],
    });
  });

  it('names every bad row and field', () => {
    const r = parseBrregJson([
      { organisasjonsnummer: '974761077', navn: 'X' },
      { organisasjonsnummer: '974761076', navn: '', organisasjonsform: 'aksjeselskap' },
      { organisasjonsnummer: '991825827', navn: 'Y', overordnetEnhet: '991825827' },
      'not an object',
    ]);
    expect('problems' in r && r.problems.map((p) => p.paths[0])).toEqual([
      '$[0].organisasjonsnummer',
      '$[1].navn',
      '$[1].organisasjonsform',
      '$[2].overordnetEnhet',
      '$[3]',
    ]);
  });

  it('reads comma- and semicolon-separated CSV with organisasjonsform.kode', () => {
    const comma = parseBrregCsv(
      'organisasjonsnummer,navn,organisasjonsform.kode\n974761076,"SKATTEETATEN, OSLO",ORGL\n',
    );
    expect(comma).toEqual({
      rows: [
        {
          orgNumber: '974761076',
          name: { nb: 'SKATTEETATEN, OSLO' },
          organizationForm: 'ORGL',
          parentOrgNumber: null,
        },
      ],
    });
    const semi = parseBrregCsv('organisasjonsnummer;navn\n974761076;A;B\n');
    expect(semi).toMatchObject({ rows: [{ orgNumber: '974761076', name: { nb: 'A' } }] });
  });
});
