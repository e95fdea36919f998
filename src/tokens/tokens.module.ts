import { TokenMetrics } from './token-metrics.js';
import { Global, Module } from '@nestjs/common';
import { ClientsModule } from '../clients/clients.module.js';
import { ISSUER_KEY_SOURCE } from '../common/auth/issuer-key-source.js';
import { DOCUMENT_SIGNER } from '../common/crypto/document-signer.js';
import { ConsentsModule } from '../consents/consents.module.js';
import { OwnersModule } from '../owners/owners.module.js';
import { ScopesModule } from '../scopes/scopes.module.js';
import { AuthorizationCodeGrantService } from './authorization-code-grant.service.js';
import { AuthorizationCodesService } from './authorization-codes.service.js';
import { AssertionReplayStore } from './assertion-replay.store.js';
import { AssertionVerifier } from './assertion-verifier.js';
import { IssuerRecordService } from './issuer-record.service.js';
import { SigningKeysService } from './signing-keys.service.js';
import { TokenEndpointHooks } from './token-endpoint.hooks.js';
import { TokenGrantController } from './token-grant.controller.js';
import { TokenGrantService } from './token-grant.service.js';
import { TokenSignerService } from './token-signer.service.js';
import { WellKnownController } from './well-known.controller.js';

/**
 * The built-in issuer: signing keys, JWKS, metadata and the JWT-bearer grant (`POST /token`).
 * Global because the auth core (a lower layer) asks for ISSUER_KEY_SOURCE, and the portal (same
 * layer) for DOCUMENT_SIGNER, which we provide.
 */
@Global()
@Module({
  imports: [ClientsModule, ScopesModule, ConsentsModule, OwnersModule],
  controllers: [WellKnownController, TokenGrantController],
  providers: [
    SigningKeysService,
    TokenSignerService,
    { provide: ISSUER_KEY_SOURCE, useExisting: SigningKeysService },
    { provide: DOCUMENT_SIGNER, useExisting: TokenSignerService },
    AssertionVerifier,
    AssertionReplayStore,
    TokenGrantService,
    TokenEndpointHooks,
    TokenMetrics,
    AuthorizationCodesService,
    AuthorizationCodeGrantService,
    IssuerRecordService,
  ],
  exports: [
    SigningKeysService,
    TokenSignerService,
    ISSUER_KEY_SOURCE,
    DOCUMENT_SIGNER,
    AuthorizationCodesService,
  ],
})
export class TokensModule {}
