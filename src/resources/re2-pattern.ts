/**
 * RE2 patterns (linear time: a pattern an owner writes cannot make a request backtrack for
 * seconds) for the resource policies' `metadataValues`. re2js (~260 KB, one module) is loaded on
 * the first pattern compiled, not at boot: most deployments have no policy with a pattern, and
 * the module stayed on the heap of every process, the data plane's too (issue 22). A require,
 * not an import(): the checks that use it are synchronous.
 */
import { createRequire } from 'node:module';
import type { RE2JS } from 're2js';

const load = createRequire(import.meta.url);
let re2: typeof RE2JS | undefined;

/** RE2JS.compile, loading re2js on first use; throws what RE2JS.compile throws for a bad pattern. */
export function compileRe2(pattern: string): RE2JS {
  re2 ??= (load('re2js') as { RE2JS: typeof RE2JS }).RE2JS;
  return re2.compile(pattern);
}
