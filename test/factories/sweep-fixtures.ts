/**
 * For the files that run the consent sweeps by hand with a clock of their own (expiry reminders,
 * usage summaries): an app whose background sweep is stopped, and accepted consents to sweep.
 */
import { ConsentExpirySweeper } from '../../src/consents/consent-expiry.sweeper.js';
import { ConsentsService } from '../../src/consents/consents.service.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import {
  consentBody,
  consentWorld,
  createConsent,
  personUrnOf,
  type ConsentWorld,
} from './consent-fixtures.js';
import { personNumber } from './orgs.js';

/**
 * A test app and its consent world, with the background expiry sweep stopped as at shutdown: it
 * also wakes on every consent change (not only at its interval) and would sweep with the real
 * clock between a test's steps. The interval is slowed down too, so it never starts again.
 */
export async function appWithBackgroundSweepStopped(
  env: Record<string, string> = {},
): Promise<{ t: TestApp; w: ConsentWorld }> {
  const t = await createTestApp({ env: { EXPIRY_SWEEP_INTERVAL_MS: '3600000', ...env } });
  const w = await consentWorld(t);
  await t.app.get(ConsentExpirySweeper).onApplicationShutdown();
  return { t, w };
}

/**
 * A consent from a fresh person to the world's consumer, created through the API and accepted by
 * the person through the service (the portal is not what these files test); its id.
 */
export async function sweepableConsent(
  t: TestApp,
  w: ConsentWorld,
  o: { validTo?: Date; resource?: string; accept?: boolean } = {},
): Promise<string> {
  const pid = personNumber();
  const dto = await createConsent(
    t,
    w.consumer.auth,
    consentBody({
      to: w.consumer.org,
      resource: o.resource ?? w.resource,
      from: personUrnOf(pid),
      validTo: o.validTo?.toISOString(),
    }),
  );
  if (o.accept !== false)
    await t.app
      .get(ConsentsService)
      .accept(dto.id as string, { personId: pid }, { language: 'nb', html: '<p>ok</p>', text: {} });
  return dto.id as string;
}
