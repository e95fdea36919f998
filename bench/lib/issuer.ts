/**
 * The bench's own token issuer: an RSA key, a JWKS endpoint the gateway trusts through
 * TRUSTED_ISSUERS (the same path a Maskinporten token takes), and fast RS256 signing with
 * node:crypto so thousands of distinct tokens can be made before a run.
 */
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

export interface BenchIssuer {
  issuer: string;
  jwksUrl: string;
  kid: string;
  publicKey: KeyObject;
  privateKey: KeyObject;
  /** Signs `claims` (iss, iat, exp, jti added unless present). */
  token(claims: Record<string, unknown>, ttlSeconds?: number): string;
  /** `count` distinct tokens (fresh jti each) with the same claims, signed on worker threads. */
  tokens(claims: Record<string, unknown>, count: number, ttlSeconds?: number): Promise<string[]>;
  close(): Promise<void>;
}

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

export async function startIssuer(): Promise<BenchIssuer> {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = publicKey.export({ format: 'jwk' });
  const kid = createHash('sha256').update(JSON.stringify(jwk)).digest('base64url').slice(0, 16);
  const jwks = JSON.stringify({ keys: [{ ...jwk, kid, alg: 'RS256', use: 'sig' }] });
  const server: Server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(jwks);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const issuer = `http://127.0.0.1:${port}/`;
  const header = b64({ alg: 'RS256', kid, typ: 'at+jwt' });
  return {
    issuer,
    jwksUrl: `${issuer}jwks`,
    kid,
    publicKey,
    privateKey,
    token(claims, ttlSeconds = 3000) {
      const iat = Math.floor(Date.now() / 1000);
      const payload = b64({
        iss: issuer,
        iat,
        exp: iat + ttlSeconds,
        jti: randomBytes(12).toString('base64url'),
        ...claims,
      });
      const input = `${header}.${payload}`;
      return `${input}.${sign('sha256', Buffer.from(input), privateKey).toString('base64url')}`;
    },
    async tokens(claims, count, ttlSeconds = 3000) {
      const iat = Math.floor(Date.now() / 1000);
      const full = { iss: issuer, iat, exp: iat + ttlSeconds, ...claims };
      const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
      const workers = Math.max(1, Math.min(availableParallelism(), 4));
      const parts = await Promise.all(
        Array.from({ length: workers }, (_, i) => {
          const n = Math.floor(count / workers) + (i < count % workers ? 1 : 0);
          return new Promise<string[]>((resolve, reject) => {
            const w = new Worker(new URL('./sign-worker.js', import.meta.url), {
              workerData: { pem, header, claims: full, count: n },
            });
            w.once('message', resolve);
            w.once('error', reject);
          });
        }),
      );
      return parts.flat();
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

export function orgClaim(org: string): { authority: string; ID: string } {
  return { authority: 'iso6523-actorid-upis', ID: `0192:${org}` };
}
