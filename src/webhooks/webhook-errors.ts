import { DomainError } from '../common/errors/domain-error.js';

/** Problem codes of the webhooks API (docs/errors.md). */
export const WebhookCodes = {
  notFound: 'WH-00001',
  tooMany: 'WH-00002',
  invalidUrl: 'WH.VLD-00001',
  invalidEventType: 'WH.VLD-00002',
} as const;

/** Another consumer's subscription answers exactly like a missing one (DESIGN §3). */
export function webhookNotFound(id: string): DomainError {
  return DomainError.notFound(
    WebhookCodes.notFound,
    `No webhook subscription ${id} exists for your organisation.`,
  );
}
