/**
 * The set-up most gateway e2e files start from: a test app, a recording upstream, a world (owner,
 * consent resource, scope, consumer) and, unless told otherwise, one API in front of the
 * upstream's `/base`. Files destructure it into their own `let`s in `beforeAll`, so the tests
 * read as before; `close()` in `afterAll` stops the app and the upstream.
 */
import { createTestApp, type TestApp, type TestAppOptions } from '../helpers/app.js';
import {
  gatewayWorld,
  registerApi,
  startUpstream,
  type ApiOptions,
  type GatewayWorld,
  type Upstream,
} from './gateway-fixtures.js';

export interface GatewayApp {
  t: TestApp;
  upstream: Upstream;
  world: GatewayWorld;
  /** The API's name (`/proxy/{api}/…` reaches `${upstream.url}/base/…`); '' with `api: false`. */
  api: string;
  close(): Promise<void>;
}

export interface GatewayAppOptions {
  app?: TestAppOptions;
  /** Options of the one API (its upstream URL defaults to the upstream's /base), or false for none. */
  api?: Partial<ApiOptions> | false;
}

export async function startGatewayApp(o: GatewayAppOptions = {}): Promise<GatewayApp> {
  const t = await createTestApp(o.app);
  const upstream = await startUpstream();
  const world = await gatewayWorld(t);
  const api =
    o.api === false ? '' : await registerApi(t, world, { upstreamUrl: `${upstream.url}/base`, ...o.api });
  return {
    t,
    upstream,
    world,
    api,
    async close() {
      await t.close();
      await upstream.close();
    },
  };
}
