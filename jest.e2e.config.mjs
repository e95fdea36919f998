import { e2e, runOptions } from './jest.config.mjs';

/**
 * The e2e project alone, for tools that want one config file. The npm scripts use
 * `--config jest.config.mjs --selectProjects e2e` instead: the same project config as in
 * `npm test`, so they share its transform cache.
 */
export default { ...e2e, ...runOptions };
