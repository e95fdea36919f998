import { describe, expect, it } from '@jest/globals';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { IsOrgNumber, IsPersonNumber, IsUuid } from './identifier.decorators.js';

class Body {
  @IsOrgNumber()
  org!: unknown;

  @IsPersonNumber()
  person!: unknown;

  @IsUuid()
  id!: unknown;

  @IsOrgNumber({ each: true })
  orgs!: unknown;
}

const valid = {
  org: '991825827',
  person: '02013299997',
  id: '0193a0f4-5b1e-4c3d-9a2b-1f2e3d4c5b6a',
  orgs: ['974760673', '923609016'],
};

function problems(body: Record<string, unknown>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const e of validateSync(plainToInstance(Body, body)))
    out[e.property] = Object.values(e.constraints ?? {});
  return out;
}

describe('identifier decorators', () => {
  it('pass valid identifiers', () => {
    expect(problems(valid)).toEqual({});
  });

  it('name the property and the rule for each invalid identifier, all in one pass', () => {
    expect(
      problems({
        org: '991825828',
        person: '02013299996',
        id: 'not-a-uuid',
        orgs: ['974760673', '123456789'],
      }),
    ).toEqual({
      org: ['org must be a valid Norwegian organisation number (9 digits, mod-11 check digit)'],
      person: ['person must be a valid 11-digit national identity number'],
      id: ['id must be a UUID'],
      orgs: [
        'each value in orgs must be a valid Norwegian organisation number (9 digits, mod-11 check digit)',
      ],
    });
  });

  it('refuse values of the wrong type rather than coerce them', () => {
    expect(Object.keys(problems({ ...valid, org: 991825827, person: 2013299997, id: null })).sort()).toEqual([
      'id',
      'org',
      'person',
    ]);
  });

  it('take a custom message', () => {
    class Custom {
      @IsOrgNumber({ message: 'orgNumber is not an organisation' })
      orgNumber!: unknown;
    }
    const [e] = validateSync(plainToInstance(Custom, { orgNumber: 'x' }));
    expect(e.constraints).toEqual({ isOrgNumber: 'orgNumber is not an organisation' });
  });
});
