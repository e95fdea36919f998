/**
 * Authorization codes of the admin login (RFC 6749 §4.1, RFC 7636), issued by the authorize
 * step (admin-login context) and redeemed once at `/token`.
 *
 * - A code is 32 random bytes; only its sha256 is stored, so the table (or a log of it) cannot
 *   be replayed as codes.
 * - Redeeming deletes the row: of two concurrent redemptions exactly one gets it (the second
 *   delete finds nothing), and a failed PKCE check still burns the code, so a stolen code gives
 *   one guess at the verifier, not many.
 * - Codes live `codeTtlSeconds` (60 s); expired rows are purged when new codes are issued.
 */
import { createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig, type PublicClient } from '../config/app-config.js';
import { PrismaService } from '../prisma/prisma.service.js';

export interface CodeGrant {
  clientId: string;
  redirectUri: string;
  /** BASE64URL(SHA256(code_verifier)), 43 characters. */
  codeChallenge: string;
  personId: string;
  orgNumber: string;
  /** The scopes the client asked for (space-separated), or null for "what the org holds". */
  scope: string | null;
}

export interface RedeemedCode extends CodeGrant {
  expiresAt: Date;
}

const PURGE_INTERVAL_MS = 60_000;

function sha256(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

@Injectable()
export class AuthorizationCodesService {
  private lastPurge = 0;

  constructor(
    private readonly prisma: PrismaService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The registered public client, or undefined. */
  client(clientId: string): PublicClient | undefined {
    return this.config.adminLogin.clients.find((c) => c.clientId === clientId);
  }

  async issue(grant: CodeGrant): Promise<string> {
    const code = randomBytes(32).toString('base64url');
    const expiresAt = new Date(Date.now() + this.config.adminLogin.codeTtlSeconds * 1000);
    await this.prisma.authorizationCode.create({ data: { codeHash: sha256(code), ...grant, expiresAt } });
    if (Date.now() - this.lastPurge > PURGE_INTERVAL_MS) {
      this.lastPurge = Date.now();
      await this.prisma.authorizationCode.deleteMany({ where: { expiresAt: { lt: new Date() } } });
    }
    return code;
  }

  /** Takes the code out of the store (whatever happens next); null when unknown or used. */
  async redeem(code: string): Promise<RedeemedCode | null> {
    let row;
    try {
      row = await this.prisma.authorizationCode.delete({ where: { codeHash: sha256(code) } });
    } catch (err) {
      // P2025: no such row — never issued, already redeemed, or purged.
      if ((err as { code?: unknown }).code === 'P2025') return null;
      throw err;
    }
    return {
      clientId: row.clientId,
      redirectUri: row.redirectUri,
      codeChallenge: row.codeChallenge,
      personId: row.personId,
      orgNumber: row.orgNumber,
      scope: row.scope,
      expiresAt: row.expiresAt,
    };
  }
}
