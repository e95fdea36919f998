import { availableParallelism } from 'node:os';

/**
 * The transform: swc (@swc/jest) with the options of tsconfig.json that change the emitted code
 * (legacy decorators with their metadata, which Nest's DI reads; no define semantics for class
 * fields). Transpile only: `npm run typecheck` checks the types. Why not ts-jest: on a cold cache
 * (every CI run) ts-jest cost 113 s wall / 96 CPU-s for 26 e2e files, swc 64 s / 81 CPU-s.
 * @swc/jest emits ESM when Jest imports a file and CommonJS when Jest requires one.
 */
const swc = (syntax) => [
  '@swc/jest',
  {
    jsc: {
      parser: syntax === 'typescript' ? { syntax, decorators: true } : { syntax },
      transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
      target: 'es2023',
      keepClassNames: true,
    },
    sourceMaps: 'inline',
  },
];

/** What unit and e2e tests share: the transform (ESM out), the module mapper. */
const shared = {
  extensionsToTreatAsEsm: ['.ts'],
  rootDir: import.meta.dirname,
  testEnvironment: 'node',
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  // @fastify/static needs content-disposition 3 (ESM-only); Jest on Node 20 can't `require` it,
  // so it is transformed to CommonJS (the transformer does so when Jest requires a file).
  transform: {
    '^.+\\.ts$': swc('typescript'),
    '^.+/node_modules/content-disposition/.+\\.js$': swc('ecmascript'),
  },
  transformIgnorePatterns: ['/node_modules/(?!content-disposition/)'],
  setupFiles: ['reflect-metadata'],
};

/**
 * Options Jest only reads from the top-level config (a project's own are ignored).
 * Workers: each e2e file has a database of its own, so files run in parallel. 2 even on a 2-core
 * machine (Jest's default would be 1 there): the e2e tests wait on the database and on timers a
 * lot (3 measured no faster there; again with swc, 26 e2e files on a shared machine: 2 workers
 * 59-121 s, 3 workers 79-123 s, no consistent difference). At most 4: a test app holds about 8 PostgreSQL connections
 * and a few files run 2-3 apps at once, so this stays under the default max_connections (100).
 * `--maxWorkers=N` / `--runInBand` on the command line still win.
 * Timeout: the e2e one for all, as unit and e2e run in one Jest run (`npm test`).
 * Order: the known-slow files first (test/helpers/slow-first-sequencer.mjs).
 */
export const runOptions = {
  maxWorkers: Math.min(4, Math.max(2, availableParallelism())),
  testTimeout: 60_000,
  testSequencer: '<rootDir>/test/helpers/slow-first-sequencer.mjs',
};

/** Unit tests: *.spec.ts beside the code. No database unless a spec starts one itself. */
export const unit = {
  ...shared,
  displayName: 'unit',
  roots: ['<rootDir>/src', '<rootDir>/test/unit'],
  testMatch: ['**/*.spec.ts'],
};

/**
 * e2e tests boot the real AppModule against a real PostgreSQL (TEST_DATABASE_URL: each file gets
 * a copy of a migrated template database) or, when it is unset, a PGlite per file (on a copy of a
 * migrated data directory: test/helpers/database.ts).
 * No globalSetup: Jest loads it without the ESM module mapper, so the template is built lazily
 * (under an advisory lock) by test/helpers/database.ts.
 */
export const e2e = {
  ...shared,
  displayName: 'e2e',
  roots: ['<rootDir>/test/e2e'],
  testMatch: ['**/*.e2e-spec.ts'],
};

/**
 * The e2e files that cover the embedded database's paths and the whole flow: in a run on
 * PostgreSQL they run a second time, on PGlite, as the e2e-embedded project. One Jest run then
 * shares its workers between both instead of a separate PGlite run after the PostgreSQL one.
 */
const EMBEDDED_FILES = [
  'foundation',
  'schema-parity',
  'migrator',
  'issuer-keys',
  'consents-create',
  'portal',
  'token-consent',
  'gateway-proxy',
  'docs',
];
export const embedded = {
  ...e2e,
  displayName: 'e2e-embedded',
  testMatch: EMBEDDED_FILES.map((f) => `<rootDir>/test/e2e/${f}.e2e-spec.ts`),
  setupFiles: [...shared.setupFiles, '<rootDir>/test/helpers/embedded-project.ts'],
};

/**
 * `npm test`: unit and e2e in one run sharing the workers (`--selectProjects unit` for unit only),
 * plus e2e-embedded when the run is on PostgreSQL (without TEST_DATABASE_URL every e2e file runs
 * on PGlite already) or when it is asked for by name (`npm run test:e2e:embedded`).
 */
const withEmbedded = Boolean(process.env.TEST_DATABASE_URL) || process.argv.includes(embedded.displayName);
export default {
  ...runOptions,
  projects: [unit, e2e, ...(withEmbedded ? [embedded] : [])],
};
