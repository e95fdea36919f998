/**
 * Real use of a consent at the gateway: a protected API on the consent's resource, a token that
 * embeds the stored consent, calls through `/proxy`, then the usage counters written (the
 * recorder batches them about once a second; flushing makes the test deterministic).
 */
import { UsageRecorder } from '../../src/gateway/usage-recorder.js';
import type { TestApp } from '../helpers/app.js';
import { mintToken } from '../helpers/tokens.js';
import type { ConsentWorld } from './consent-fixtures.js';
import { sql } from './consent-fixtures.js';
import { proxy, registerApi } from './gateway-fixtures.js';

/** Calls the gateway `times` times under consent `id`; returns the API's name. */
export async function useConsentAtGateway(
  t: TestApp,
  w: ConsentWorld,
  upstreamUrl: string,
  id: string,
  times: number,
): Promise<string> {
  const scope = `${w.owner.orgcode}:inntekt`;
  const api = await registerApi(
    t,
    { owner: w.owner, resource: w.resource, scope, consumer: w.consumer.org },
    { upstreamUrl },
  );
  const [row] = await sql(t, 'SELECT * FROM consent_requests WHERE id = $1', [id]);
  const token = await mintToken(t, {
    org: w.consumer.org,
    scope,
    authorizationDetails: [
      {
        type: 'urn:altinn:consent',
        id,
        from: row.from_party,
        to: { authority: 'iso6523-actorid-upis', ID: `0192:${w.consumer.org}` },
        consented: new Date(row.consented).toISOString(),
        validTo: new Date(row.valid_to).toISOString(),
        consentRights: row.consent_rights,
      },
    ],
  });
  for (let i = 0; i < times; i++) {
    const res = await proxy(t, `/proxy/${api}/inntekt`, { auth: `Bearer ${token}` });
    if (res.status !== 200) throw new Error(`gateway call ${i + 1}: ${res.status} ${res.text}`);
  }
  await t.app.get(UsageRecorder).flush();
  return api;
}
