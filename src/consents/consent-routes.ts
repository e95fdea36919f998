/**
 * What the consent API's controllers share: Altinn's scope policies and the decorators of a
 * route that both the consent's consumer and the owners of its resources may read.
 */
import { applyDecorators, type Type } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
} from '@nestjs/swagger';
import { RequireAnyScope } from '../common/auth/auth.decorators.js';
import { Scopes } from '../common/auth/scopes.js';

/**
 * Altinn's scope policies (DESIGN §11): creating (and, beyond Altinn, cancelling) needs `.write`
 * or `.org`; reading needs any of the three, so a write-only client can read back what it made.
 */
export const WRITE_POLICY = [Scopes.consentRequestsWrite, Scopes.consentRequestsOrg] as const;
export const READ_POLICY = [
  Scopes.consentRequestsRead,
  Scopes.consentRequestsWrite,
  Scopes.consentRequestsOrg,
] as const;

/**
 * `GET …/{id}/…` readable by the consumer (`to`, `handledBy`) and by the owner of a resource the
 * consent names (so the resource scopes too). The decorators in the order they were written on
 * each route (applyDecorators applies them first to last, stacked ones apply last to first), so
 * the OpenAPI document stays the same.
 */
export function ConsumerOrOwnerRead(
  operation: { summary: string; description: string },
  ok: Type<unknown>,
  badRequest?: string,
): MethodDecorator {
  return applyDecorators(
    ApiNotFoundResponse({ description: 'AM-00001' }),
    ApiForbiddenResponse({ description: 'AM-00000: neither the consumer nor an owner of its resources.' }),
    ...(badRequest ? [ApiBadRequestResponse({ description: badRequest })] : []),
    ApiOkResponse({ type: ok }),
    ApiParam({ name: 'id', format: 'uuid' }),
    ApiOperation(operation),
    RequireAnyScope(...READ_POLICY, Scopes.resourceRead, Scopes.resourceWrite),
  );
}
