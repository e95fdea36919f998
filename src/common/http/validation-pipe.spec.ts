import { describe, expect, it } from '@jest/globals';
import { IsString, Validate, ValidatorConstraint, type ValidatorConstraintInterface } from 'class-validator';
import { DomainError } from '../errors/domain-error.js';
import type { ProblemContext } from '../errors/validation-errors.js';
import { createValidationPipe, DeploymentGroups } from './validation-pipe.js';

@ValidatorConstraint({ name: 'notLocal' })
class NotLocal implements ValidatorConstraintInterface {
  validate(v: unknown) {
    return typeof v === 'string' && !v.includes('localhost');
  }
  defaultMessage() {
    return 'host must not be localhost';
  }
}

@ValidatorConstraint({ name: 'evenItems' })
class EvenItems implements ValidatorConstraintInterface {
  validate(v: unknown) {
    return Array.isArray(v) && v.every((n) => n % 2 === 0);
  }
  defaultMessage() {
    return 'items must be even';
  }
}

const oddOnes: ProblemContext = {
  problems: (v, path) =>
    (v as number[]).flatMap((n, i) =>
      n % 2 ? [{ code: 'X.VLD-00002', title: `${n} is odd`, paths: [`${path}[${i}]`] }] : [],
    ),
};

class Body {
  @IsString()
  @Validate(NotLocal, { groups: [DeploymentGroups.production], context: { code: 'X.VLD-00001' } })
  host!: string;

  @Validate(EvenItems, { context: oddOnes })
  items!: number[];
}

async function problems(body: unknown, nodeEnv: 'production' | 'development' | 'test') {
  try {
    await createValidationPipe({ nodeEnv }).transform(body, { type: 'body', metatype: Body });
    return [];
  } catch (e) {
    return (e as DomainError).validationErrors;
  }
}

describe('createValidationPipe', () => {
  it('applies a rule of the production group in production only, and every other rule always', async () => {
    const body = { host: 'localhost', items: [2] };
    expect(await problems(body, 'development')).toEqual([]);
    expect(await problems(body, 'test')).toEqual([]);
    expect(await problems(body, 'production')).toEqual([
      { code: 'X.VLD-00001', title: 'host must not be localhost', paths: ['$.host'] },
    ]);
    expect(await problems({ host: 7, items: [2] }, 'development')).toEqual([
      { code: 'STD.VLD-00001', title: 'host must be a string', paths: ['$.host'] },
    ]);
  });

  it('lets a rule report one problem per offending element, and refuses unknown members', async () => {
    expect(await problems({ host: 'a.example', items: [2, 3, 4, 5], extra: 1 }, 'development')).toEqual([
      { code: 'STD.VLD-00002', title: 'Unknown field $.extra', paths: ['$.extra'] },
      { code: 'X.VLD-00002', title: '3 is odd', paths: ['$.items[1]'] },
      { code: 'X.VLD-00002', title: '5 is odd', paths: ['$.items[3]'] },
    ]);
  });

  it('refuses a body that is not a JSON object with one problem at `$`, not per array index', async () => {
    const notObject = {
      code: 'STD.VLD-00001',
      title: 'The request body must be a JSON object.',
      paths: ['$'],
    };
    for (const body of [['a.example'], [], null, 'a.example', 7, true])
      expect(await problems(body, 'development')).toEqual([notObject]);
  });

  it("refuses members named like Object.prototype's own, at any depth, as unknown fields", async () => {
    expect(await problems({ host: 'a.example', items: [2], constructor: 'x' }, 'development')).toEqual([
      { code: 'STD.VLD-00002', title: 'Unknown field $.constructor', paths: ['$.constructor'] },
    ]);
    expect(
      await problems(
        {
          host: 'a.example',
          items: [2],
          meta: { toString: {}, ok: { valueOf: 1 } },
          list: [{ hasOwnProperty: 1 }],
        },
        'development',
      ),
    ).toEqual([
      { code: 'STD.VLD-00002', title: 'Unknown field $.meta.toString', paths: ['$.meta.toString'] },
      { code: 'STD.VLD-00002', title: 'Unknown field $.meta.ok.valueOf', paths: ['$.meta.ok.valueOf'] },
      {
        code: 'STD.VLD-00002',
        title: 'Unknown field $.list[0].hasOwnProperty',
        paths: ['$.list[0].hasOwnProperty'],
      },
    ]);
    for (const name of Object.getOwnPropertyNames(Object.prototype).filter((n) => n !== '__proto__'))
      expect(await problems({ host: 'a.example', items: [2], [name]: 1 }, 'development')).toHaveLength(1);
  });

  it('leaves route parameters and queries to their own pipes', async () => {
    const pipe = createValidationPipe({ nodeEnv: 'development' });
    expect(await pipe.transform('abc', { type: 'param', metatype: String, data: 'id' })).toBe('abc');
  });

  it('hands the handler an instance of the DTO', async () => {
    const body = await createValidationPipe({ nodeEnv: 'production' }).transform(
      { host: 'a.example', items: [] },
      { type: 'body', metatype: Body },
    );
    expect(body).toBeInstanceOf(Body);
  });
});
