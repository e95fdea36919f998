import { describe, expect, it } from '@jest/globals';
import { DomainError } from '../../common/errors/domain-error.js';
import { createValidationPipe } from '../../common/http/validation-pipe.js';
import { CreateWebhookDto } from './webhook.dto.js';

async function problems(body: unknown, nodeEnv: 'development' | 'production' = 'development') {
  try {
    await createValidationPipe({ nodeEnv }).transform(body, { type: 'body', metatype: CreateWebhookDto });
  } catch (e) {
    expect(e).toBeInstanceOf(DomainError);
    return (e as DomainError).validationErrors;
  }
  return [];
}

describe('CreateWebhookDto through the ValidationPipe', () => {
  it('passes a good body as a CreateWebhookDto', async () => {
    const body = await createValidationPipe({ nodeEnv: 'production' }).transform(
      { url: 'https://bank.example/hooks', eventTypes: ['accepted', 'revoked'] },
      { type: 'body', metatype: CreateWebhookDto },
    );
    expect(body).toBeInstanceOf(CreateWebhookDto);
    expect(body).toEqual({ url: 'https://bank.example/hooks', eventTypes: ['accepted', 'revoked'] });
  });

  it('reports unknown members, the url and each bad event type, in body order, in one 400', async () => {
    expect(
      await problems({
        url: 'ftp://bank.example/hooks',
        eventTypes: ['Accepted', 'accepted', 'accepted', 'granted', 7],
        secret: 'mine',
      }),
    ).toEqual([
      { code: 'STD.VLD-00002', title: 'Unknown field $.secret', paths: ['$.secret'] },
      { code: 'WH.VLD-00001', title: 'url must use https', paths: ['$.url'] },
      { code: 'WH.VLD-00002', title: expect.stringContaining('"Accepted"'), paths: ['$.eventTypes[0]'] },
      { code: 'STD.VLD-00001', title: 'Event type accepted is listed twice', paths: ['$.eventTypes[2]'] },
      { code: 'WH.VLD-00002', title: expect.stringContaining('"granted"'), paths: ['$.eventTypes[3]'] },
      { code: 'WH.VLD-00002', title: expect.stringContaining('7'), paths: ['$.eventTypes[4]'] },
    ]);
  });

  it.each([
    [
      {},
      [
        ['STD.VLD-00000', 'url is required', '$.url'],
        ['STD.VLD-00000', 'eventTypes is required', '$.eventTypes'],
      ],
    ],
    [
      { url: '', eventTypes: null },
      [
        ['STD.VLD-00000', 'url is required', '$.url'],
        ['STD.VLD-00000', 'eventTypes is required', '$.eventTypes'],
      ],
    ],
    [
      { url: '  ', eventTypes: [] },
      [
        ['WH.VLD-00001', 'url is required', '$.url'],
        ['STD.VLD-00001', 'eventTypes must be a non-empty list', '$.eventTypes'],
      ],
    ],
    [
      { url: 'https://bank.example/h', eventTypes: 'accepted' },
      [['STD.VLD-00001', 'eventTypes must be a non-empty list', '$.eventTypes']],
    ],
    [
      { url: 'https://u:p@bank.example/h', eventTypes: ['accepted'] },
      [['WH.VLD-00001', 'url must not contain credentials', '$.url']],
    ],
  ])('one problem per field for %j', async (body, expected) => {
    expect((await problems(body))?.map((p) => [p.code, p.title, ...p.paths])).toEqual(expected);
  });

  it('allows an http loopback receiver outside production only', async () => {
    const body = { url: 'http://127.0.0.1:9/hooks', eventTypes: ['created'] };
    expect(await problems(body, 'development')).toEqual([]);
    expect(await problems(body, 'production')).toEqual([
      { code: 'WH.VLD-00001', title: 'url must use https', paths: ['$.url'] },
    ]);
    expect(await problems({ url: 'https://10.0.0.7/h', eventTypes: ['created'] }, 'production')).toEqual([
      {
        code: 'WH.VLD-00001',
        title: 'url must not point at a loopback, private, link-local or reserved address',
        paths: ['$.url'],
      },
    ]);
  });

  it('refuses a body that is not an object', async () => {
    expect((await problems(['https://bank.example']))?.length).toBeGreaterThan(0);
    expect((await problems('https://bank.example'))?.length).toBeGreaterThan(0);
  });
});
