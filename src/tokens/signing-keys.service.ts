import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import {
  calculateJwkThumbprint,
  exportJWK,
  exportPKCS8,
  generateKeyPair,
  importPKCS8,
  type CryptoKey,
  type JWK,
} from 'jose';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { PrismaService, type PrismaTx } from '../prisma/prisma.service.js';
import { decryptPrivateKey, encryptPrivateKey } from './key-crypto.js';
import { lockKeys } from './signing-keys.repository.js';

export type SigningKeyStatus = 'next' | 'current' | 'previous' | 'retired';

export interface ActiveSigningKey {
  kid: string;
  alg: 'RS256';
  key: CryptoKey;
}

/** Serialises key creation/rotation across replicas (arbitrary constant, distinct from Prisma's). */
const KEY_LOCK = 727073690;
/** How long replicas may keep using their cached view of the keys. */
const CACHE_MS = 10_000;

/**
 * The built-in issuer's RS256 keys, stored in the database so every replica signs with the
 * same `current` key. Lifecycle: `next` is published in the JWKS before it ever signs (verifiers
 * cache JWKS), rotation promotes it to `current`, the old current becomes `previous` and stays
 * published until every token it signed has expired, then `retired`.
 */
@Injectable()
export class SigningKeysService implements OnModuleInit {
  private readonly logger = new Logger(SigningKeysService.name);
  private cached?: { at: number; current: ActiveSigningKey; jwks: { keys: JWK[] } };

  constructor(
    private readonly prisma: PrismaService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.ensureKeys();
  }

  /**
   * First start: create `current` and `next`. Idempotent and safe with several replicas.
   * RSA generation (~100 ms, seconds on a loaded machine) happens before the transaction so
   * the advisory-locked transaction stays short.
   */
  async ensureKeys(): Promise<void> {
    const existing = await this.prisma.signingKey.findMany({
      where: { status: { in: ['current', 'next'] } },
    });
    const missing = (['current', 'next'] as const).filter((st) => !existing.some((k) => k.status === st));
    if (missing.length === 0) return;
    const fresh = await Promise.all(missing.map(() => this.generate()));
    await this.prisma.$transaction(
      async (tx) => {
        await lockKeys(tx, KEY_LOCK);
        for (const [i, status] of missing.entries()) {
          const present = await tx.signingKey.findFirst({ where: { status } });
          if (present) continue;
          await this.insertKey(tx, status, fresh[i]);
          if (status === 'current') this.logger.log('generated the built-in issuer signing key');
        }
      },
      { timeout: 30_000, maxWait: 30_000 },
    );
    this.cached = undefined;
  }

  /**
   * Promote `next` to `current`, keep the old current as `previous`, publish a fresh `next`,
   * retire `previous` keys whose tokens can no longer be valid.
   */
  async rotate(): Promise<{ current: string; next: string; previous?: string }> {
    const [spareNext, freshNext] = await Promise.all([this.generate(), this.generate()]);
    const result = await this.prisma.$transaction(
      async (tx) => {
        await lockKeys(tx, KEY_LOCK);
        const now = new Date();
        const current = await tx.signingKey.findFirst({ where: { status: 'current' } });
        let next = await tx.signingKey.findFirst({ where: { status: 'next' } });
        next ??= await this.insertKey(tx, 'next', spareNext);
        const cutoff = new Date(
          now.getTime() - (this.config.maxTokenLifetimeSeconds + this.config.clockSkewSeconds) * 1000,
        );
        await tx.signingKey.updateMany({
          where: { status: 'previous', retiredAt: { lt: cutoff } },
          data: { status: 'retired' },
        });
        if (current)
          await tx.signingKey.update({
            where: { kid: current.kid },
            data: { status: 'previous', retiredAt: now },
          });
        await tx.signingKey.update({
          where: { kid: next.kid },
          data: { status: 'current', activatedAt: now },
        });
        const fresh = await this.insertKey(tx, 'next', freshNext);
        return { current: next.kid, next: fresh.kid, previous: current?.kid };
      },
      { timeout: 30_000, maxWait: 30_000 },
    );
    this.cached = undefined;
    return result;
  }

  async currentKey(): Promise<ActiveSigningKey> {
    return (await this.load()).current;
  }

  /** Public keys for `GET /jwk` and the verifier: next, current and unexpired previous keys. */
  async getPublicJwks(): Promise<{ keys: JWK[] }> {
    return (await this.load()).jwks;
  }

  /** Forget the cached view (after a rotation elsewhere, or on a verifier kid miss). */
  invalidate(): void {
    this.cached = undefined;
  }

  private async load(): Promise<NonNullable<SigningKeysService['cached']>> {
    if (this.cached && Date.now() - this.cached.at < CACHE_MS) return this.cached;
    const rows = await this.prisma.signingKey.findMany({
      where: { status: { in: ['next', 'current', 'previous'] } },
      orderBy: { createdAt: 'asc' },
    });
    const currentRow = rows.find((r) => r.status === 'current');
    if (!currentRow) {
      await this.ensureKeys();
      return this.load();
    }
    const pem = currentRow.encrypted
      ? decryptPrivateKey(currentRow.privateKey, this.requireSecret())
      : currentRow.privateKey;
    const key = await importPKCS8(pem, 'RS256');
    const jwks = { keys: rows.map((r) => ({ ...(r.publicJwk as JWK), kid: r.kid, alg: r.alg, use: 'sig' })) };
    this.cached = { at: Date.now(), current: { kid: currentRow.kid, alg: 'RS256', key }, jwks };
    return this.cached;
  }

  private requireSecret(): string {
    if (!this.config.keyEncryptionSecret)
      throw new Error('Signing keys are encrypted but KEY_ENCRYPTION_SECRET is not set');
    return this.config.keyEncryptionSecret;
  }

  private async generate(): Promise<{ kid: string; publicJwk: JWK; pem: string }> {
    const { publicKey, privateKey } = await generateKeyPair('RS256', {
      modulusLength: 2048,
      extractable: true,
    });
    const publicJwk = await exportJWK(publicKey);
    return { kid: await calculateJwkThumbprint(publicJwk), publicJwk, pem: await exportPKCS8(privateKey) };
  }

  private async insertKey(
    tx: PrismaTx,
    status: SigningKeyStatus,
    key: { kid: string; publicJwk: JWK; pem: string },
  ) {
    const secret = this.config.keyEncryptionSecret;
    return tx.signingKey.create({
      data: {
        kid: key.kid,
        status,
        alg: 'RS256',
        publicJwk: { kty: key.publicJwk.kty, n: key.publicJwk.n, e: key.publicJwk.e },
        privateKey: secret ? encryptPrivateKey(key.pem, secret) : key.pem,
        encrypted: !!secret,
        activatedAt: status === 'current' ? new Date() : null,
      },
    });
  }
}
