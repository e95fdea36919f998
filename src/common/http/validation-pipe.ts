/**
 * The one ValidationPipe (CONVENTIONS rule 7): whitelist, unknown members refused, bodies
 * transformed into their DTO classes, and every problem reported in one 400 (DESIGN §4).
 *
 * Rules that differ by deployment name a validation group: webhooks accept loopback receivers
 * outside production only, for example. Every other rule applies in every deployment (`always`).
 */
import { ValidationPipe, type ArgumentMetadata } from '@nestjs/common';
import type { AppConfig } from '../../config/app-config.js';
import { DomainError } from '../errors/domain-error.js';
import { INVALID_VALUE, validationExceptionFactory } from '../errors/validation-errors.js';
import { prototypeNamedMembers } from './prototype-names.js';

export const DeploymentGroups = {
  production: 'deployment:production',
  outsideProduction: 'deployment:outside-production',
} as const;

/**
 * A DTO body must be a JSON object, with no member named like `Object.prototype`'s own
 * (prototype-names.ts). class-transformer would read an array as an object with
 * keys "0", "1"… and report `$[0]` as an unknown field beside every missing one; the hand-written
 * validators (resources, policies) answer `$` alone, and so does this.
 */
class ObjectBodyValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const isDtoBody =
      metadata.type === 'body' && typeof metadata.metatype === 'function' && this.toValidate(metadata);
    // No body at all is the DTO's business (an optional body, e.g. an approval without a note).
    if (!isDtoBody || value === undefined) return super.transform(value, metadata);
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw DomainError.validation([
        { code: INVALID_VALUE, title: 'The request body must be a JSON object.', paths: ['$'] },
      ]);
    const reserved = prototypeNamedMembers(value);
    if (reserved.length) throw DomainError.validation(reserved);
    return super.transform(value, metadata);
  }
}

export function createValidationPipe(config: Pick<AppConfig, 'nodeEnv'>): ValidationPipe {
  return new ObjectBodyValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: validationExceptionFactory,
    always: true,
    groups: [
      config.nodeEnv === 'production' ? DeploymentGroups.production : DeploymentGroups.outsideProduction,
    ],
  });
}
