/**
 * What the `/token` specs share: an app with a consumer org holding a granted scope and a
 * registered client, and the checks every issued token and every refusal go through.
 */
import { expect } from '@jest/globals';
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import { PrismaService } from '../../src/prisma/prisma.service.js';
import type { TestApp } from '../helpers/app.js';
import { consumerWithClient, type HttpResult, type TestClient, type TestScope } from './token-fixtures.js';

export interface TokenWorld {
  prisma: PrismaService;
  scope: TestScope;
  client: TestClient;
}

export async function tokenWorld(t: TestApp): Promise<TokenWorld> {
  return { prisma: t.app.get(PrismaService), ...(await consumerWithClient(t)) };
}

/** The claims of a token the app issued, verified against its published `GET /jwk`. */
export async function verifyIssued(t: TestApp, token: string): Promise<JWTPayload> {
  const jwks = createRemoteJWKSet(new URL(`${t.url}/jwk`));
  const { payload } = await jwtVerify(token, jwks, { issuer: `${t.url}/`, algorithms: ['RS256'] });
  return payload;
}

/** OAuth error body, JSON (not problem+json), nothing else in it, never cached. */
export function expectOAuthError(res: HttpResult, status: number, error: string): void {
  expect({ status: res.status, error: res.body?.error }).toEqual({ status, error });
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  expect(Object.keys(res.body).sort()).toEqual(['error', 'error_description']);
  expect(typeof res.body.error_description).toBe('string');
  expect(res.headers.get('cache-control')).toBe('no-store');
}
