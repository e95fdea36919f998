import { createDefaultEsmPreset } from 'ts-jest';

const preset = createDefaultEsmPreset({ tsconfig: 'tsconfig.jest.json' });

/**
 * e2e tests boot the real AppModule against a real PostgreSQL (TEST_DATABASE_URL: each file gets
 * a copy of a migrated template database) or, when it is unset, an in-memory PGlite per file.
 * No globalSetup: Jest loads it without the ESM module mapper, so the template is built lazily
 * (under an advisory lock) by test/helpers/database.ts.
 */
export default {
  ...preset,
  testEnvironment: 'node',
  roots: ['<rootDir>/test/e2e'],
  testMatch: ['**/*.e2e-spec.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  // @fastify/static needs content-disposition 3 (ESM-only); Jest on Node 20 can't `require` it.
  transform: {
    ...preset.transform,
    '^.+/node_modules/content-disposition/.+\\.js$': [
      'ts-jest',
      { useESM: false, tsconfig: { allowJs: true, module: 'commonjs' }, isolatedModules: true },
    ],
  },
  transformIgnorePatterns: ['/node_modules/(?!content-disposition/)'],
  setupFiles: ['reflect-metadata'],
  testTimeout: 60000,
};
