import { Global, Module } from '@nestjs/common';
import { ISSUER_KEY_SOURCE } from '../common/auth/issuer-key-source.js';
import { SigningKeysService } from './signing-keys.service.js';
import { TokenSigner } from './token-signer.service.js';
import { WellKnownController } from './well-known.controller.js';

/**
 * The built-in issuer: signing keys, JWKS, metadata and (issue #9) the JWT-bearer grant.
 * Global because the auth core (a lower layer) asks for ISSUER_KEY_SOURCE, which we provide.
 */
@Global()
@Module({
  controllers: [WellKnownController],
  providers: [SigningKeysService, TokenSigner, { provide: ISSUER_KEY_SOURCE, useExisting: SigningKeysService }],
  exports: [SigningKeysService, TokenSigner, ISSUER_KEY_SOURCE],
})
export class TokensModule {}
