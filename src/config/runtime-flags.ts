/**
 * The V8 heap settings the service runs with: `npm start` passes them on the command line, the
 * container image sets them as NODE_OPTIONS (an operator can replace them there), and
 * `npm run bench` starts the gateway with them. test/unit/runtime-flags.spec.ts keeps the three
 * in step.
 *
 * Why: by default V8 sizes the heap for the whole machine (here a 4 GB old-space limit and 16 MB
 * semi-spaces), so between two full collections old space grows to several times what is live
 * (~45 MB) and the young generation alone commits 32 MB. Measured under the gateway bench, peak
 * RSS ~250–275 MB by default and ~195–200 MB with these two settings, with CPU per request
 * unchanged within the run-to-run noise (interleaved A/B on one machine). 384 MB of old space is
 * still about eight times the live heap; raise it together with the container's memory limit.
 */
export const NODE_RUNTIME_FLAGS = ['--max-old-space-size=384', '--max-semi-space-size=8'] as const;
