/**
 * The one ValidationPipe (CONVENTIONS rule 7): whitelist, unknown members refused, bodies
 * transformed into their DTO classes, and every problem reported in one 400 (DESIGN §4).
 *
 * Rules that differ by deployment name a validation group: webhooks accept loopback receivers
 * outside production only, for example. Every other rule applies in every deployment (`always`).
 */
import { ValidationPipe } from '@nestjs/common';
import type { AppConfig } from '../../config/app-config.js';
import { validationExceptionFactory } from '../errors/validation-errors.js';

export const DeploymentGroups = {
  production: 'deployment:production',
  outsideProduction: 'deployment:outside-production',
} as const;

export function createValidationPipe(config: Pick<AppConfig, 'nodeEnv'>): ValidationPipe {
  return new ValidationPipe({
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
