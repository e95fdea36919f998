/**
 * The built-in issuer's public keys for the data plane's verifier (ISSUER_KEY_SOURCE). The
 * all-in-one service gets them from `tokens`' SigningKeysService, which also decrypts the
 * private key and creates keys on first start; the data plane only verifies, so it reads the
 * published public halves (`next`, `current`, `previous`) and nothing else: no private key,
 * no KEY_ENCRYPTION_SECRET, no writes. The control plane creates and rotates them.
 */
import { Injectable } from '@nestjs/common';
import type { JWK } from 'jose';
import type { IssuerKeySource } from '../common/auth/issuer-key-source.js';
import { PrismaService } from '../prisma/prisma.service.js';

@Injectable()
export class IssuerPublicKeys implements IssuerKeySource {
  constructor(private readonly prisma: PrismaService) {}

  async getPublicJwks(): Promise<{ keys: JWK[] }> {
    // The verifier calls this on its TTL and on an unknown `kid`: a rotation is seen promptly.
    const rows = await this.prisma.signingKey.findMany({
      where: { status: { in: ['next', 'current', 'previous'] } },
      select: { kid: true, alg: true, publicJwk: true },
      orderBy: { createdAt: 'asc' },
    });
    return { keys: rows.map((r) => ({ ...(r.publicJwk as JWK), kid: r.kid, alg: r.alg, use: 'sig' })) };
  }
}
