import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { SignJWT, type JWTPayload } from 'jose';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import type { DocumentSigner } from '../common/crypto/document-signer.js';
import { SigningKeysService } from './signing-keys.service.js';

export interface AccessTokenRequest {
  /** Org number the token is issued for (`consumer`). */
  consumer: string;
  /** Org number of a supplier acting for the consumer. */
  supplier?: string;
  scope: string;
  clientId: string;
  ttlSeconds?: number;
  /** `aud` (RFC 8707 `resource`): one URI, or several as an array. */
  audience?: string | string[];
  /** Upper bound for `exp` (e.g. a consent's validTo): a token never outlives it. */
  notAfter?: Date;
  authorizationDetails?: unknown[];
  clientAmr?: string;
  extraClaims?: JWTPayload;
}

export function iso6523(orgNumber: string): { authority: 'iso6523-actorid-upis'; ID: string } {
  return { authority: 'iso6523-actorid-upis', ID: `0192:${orgNumber}` };
}

/**
 * Signs Maskinporten-shaped access tokens with the built-in issuer's current key, and other
 * documents (consent receipts) as the DOCUMENT_SIGNER, always with their own `typ`.
 */
@Injectable()
export class TokenSignerService implements DocumentSigner {
  constructor(
    private readonly keys: SigningKeysService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  get issuer(): string {
    return `${this.config.publicUrl}/`;
  }

  async sign(req: AccessTokenRequest): Promise<{ token: string; expiresIn: number; claims: JWTPayload }> {
    const { kid, key } = await this.keys.currentKey();
    const iat = Math.floor(Date.now() / 1000);
    let exp = iat + (req.ttlSeconds ?? this.config.defaultAccessTokenTtlSeconds);
    if (req.notAfter) exp = Math.min(exp, Math.floor(req.notAfter.getTime() / 1000));
    const claims: JWTPayload = {
      ...(req.authorizationDetails ? { authorization_details: req.authorizationDetails } : {}),
      scope: req.scope,
      iss: this.issuer,
      client_amr: req.clientAmr ?? 'private_key_jwt',
      token_type: 'Bearer',
      iat,
      exp,
      client_id: req.clientId,
      jti: randomBytes(24).toString('base64url'),
      consumer: iso6523(req.consumer),
      ...(req.supplier ? { supplier: iso6523(req.supplier) } : {}),
      ...(req.audience ? { aud: req.audience } : {}),
      ...(req.extraClaims ?? {}),
    };
    const token = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid, typ: 'at+jwt' })
      .sign(key);
    return { token, expiresIn: exp - iat, claims };
  }

  async signDocument(claims: Record<string, unknown>, typ: string): Promise<string> {
    if (typ.toLowerCase() === 'at+jwt' || typ.toLowerCase() === 'jwt')
      throw new Error('A signed document needs its own typ, never an access-token type.');
    const { kid, key } = await this.keys.currentKey();
    return new SignJWT({ ...claims, iss: this.issuer, iat: Math.floor(Date.now() / 1000) })
      .setProtectedHeader({ alg: 'RS256', kid, typ })
      .sign(key);
  }
}
