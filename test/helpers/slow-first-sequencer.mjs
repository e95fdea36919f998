/**
 * Jest's test order, with the files known to be slow first. Jest's own order puts the longest
 * files first only when its cache holds their last durations, and CI starts without that cache:
 * it then orders by file size, and a 60 s file that happens to start last is the run's tail
 * while the other worker idles. The list is small and approximate (seconds measured on
 * PostgreSQL or PGlite, 2 workers); files not in it (new ones too) follow in Jest's own order.
 * Plain JavaScript: Jest loads the sequencer itself, without the transform.
 */
import Sequencer from '@jest/test-sequencer';

/** `<project>:<path from the repository root>` → seconds, longest first. */
export const SLOW_FILES = {
  'e2e:test/e2e/access-lists-load.e2e-spec.ts': 39,
  'e2e:test/e2e/portal-browser.e2e-spec.ts': 38,
  'e2e:test/e2e/embedded-lock.e2e-spec.ts': 30,
  'e2e:test/e2e/admin-login-browser.e2e-spec.ts': 18,
  'e2e:test/e2e/webhooks-delivery-processes.e2e-spec.ts': 18,
  'e2e:test/e2e/portal-browser-partial.e2e-spec.ts': 15,
  'e2e:test/e2e/consent-extension-portal.e2e-spec.ts': 14,
  'e2e:test/e2e/data-plane.e2e-spec.ts': 14,
  'e2e:test/e2e/consents-expiry.e2e-spec.ts': 13,
  'e2e:test/e2e/webhooks-delivery.e2e-spec.ts': 12,
  'e2e:test/e2e/startup.e2e-spec.ts': 12,
  'e2e:test/e2e/portal.e2e-spec.ts': 12,
  'e2e:test/e2e/demo.e2e-spec.ts': 12,
  'e2e:test/e2e/audit.e2e-spec.ts': 12,
  'e2e:test/e2e/access-lists.e2e-spec.ts': 11,
  'e2e:test/e2e/gateway-handled-by.e2e-spec.ts': 10,
  'e2e:test/e2e/token-cli-issuer.e2e-spec.ts': 10,
  'e2e:test/e2e/portal-extension-browser.e2e-spec.ts': 9,
  'e2e:test/e2e/docs.e2e-spec.ts': 9,
  // The same files on PGlite (the e2e-embedded project).
  'e2e-embedded:test/e2e/docs.e2e-spec.ts': 27,
  'e2e-embedded:test/e2e/gateway-proxy.e2e-spec.ts': 20,
  'e2e-embedded:test/e2e/portal.e2e-spec.ts': 20,
  'e2e-embedded:test/e2e/consents-create.e2e-spec.ts': 16,
};

function key(test) {
  const rel = test.path
    .slice(test.context.config.rootDir.length + 1)
    .split('\\')
    .join('/');
  return `${test.context.config.displayName?.name ?? ''}:${rel}`;
}

export default class SlowFirstSequencer extends Sequencer {
  sort(tests) {
    const rest = super.sort([...tests]);
    const known = rest.filter((t) => SLOW_FILES[key(t)] !== undefined);
    known.sort((a, b) => SLOW_FILES[key(b)] - SLOW_FILES[key(a)]);
    return [...known, ...rest.filter((t) => SLOW_FILES[key(t)] === undefined)];
  }
}
