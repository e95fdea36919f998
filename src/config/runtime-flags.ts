/**
 * The V8 heap settings the service runs with: `npm start` passes them on the command line, the
 * container image sets them as NODE_OPTIONS (an operator can replace them there), and
 * `npm run bench` starts the gateway with them. test/unit/runtime-flags.spec.ts keeps the three
 * in step.
 *
 * Why: by default V8 sizes the heap for the whole machine (here a 4 GB old-space limit), so
 * between two full collections old space grows to several times what is live (~45–60 MB).
 * Measured with `npm run bench`: peak RSS 245–275 MB by default, ~200–210 MB with a 384 MB cap.
 * The semi-spaces are pinned at V8's usual 16 MB on purpose: 8 MB ones would save another
 * ~10 MB but cost 10–15% more CPU per proxied request (twice the scavenges), measured the same
 * way. 384 MB of old space is still six times the live heap; raise it with the container's
 * memory limit.
 */
export const NODE_RUNTIME_FLAGS = ['--max-old-space-size=384', '--max-semi-space-size=16'] as const;

/**
 * The data plane's (`npm run start:gateway`; the image's NODE_OPTIONS, then `--max-semi-space-size=8`
 * on its command line, which wins). Unlike the service, the data plane pays nothing measurable for
 * 8 MB semi-spaces: measured interleaved, two data planes side by side on the bench's reused-token
 * line (6 rounds, issue 22): 256 vs 252 µs CPU summed over the rounds (+1.7 %, inside the noise)
 * for 149–150 MB peak RSS instead of 163–171 MB. The service measured the same way: +22 % CPU for
 * 178–183 MB instead of 204–214 MB, so it keeps 16 MB.
 */
export const DATA_PLANE_RUNTIME_FLAGS = ['--max-old-space-size=384', '--max-semi-space-size=8'] as const;

/**
 * The environment the service and the data plane run with (`npm start`, `npm run start:gateway`,
 * the image, the bench's server processes; test/unit/runtime-flags.spec.ts keeps them in step).
 *
 * MALLOC_ARENA_MAX=2: glibc gives each thread that allocates its own malloc arena (up to 8 per
 * core), and a Node process has a dozen such threads (libuv's pool, V8's compiler and GC
 * helpers); each arena keeps freed memory mapped. Two arenas cap that; measured with
 * scripts/loaded-modules.mjs, it is 5–10 MB of RSS at rest and more under load (issue 22).
 */
export const NODE_RUNTIME_ENV = { MALLOC_ARENA_MAX: '2' } as const;
