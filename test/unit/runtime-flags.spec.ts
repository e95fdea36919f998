import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { NODE_RUNTIME_FLAGS } from '../../src/config/runtime-flags.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');
const flags = NODE_RUNTIME_FLAGS.join(' ');

describe('the V8 heap settings (src/config/runtime-flags.ts)', () => {
  it('are what `npm start` runs the service with', () => {
    const start = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts.start;
    expect(start).toContain(`node ${flags} dist/main.js`);
  });

  it('are the container image’s NODE_OPTIONS, which the service itself runs under', () => {
    const dockerfile = read('Dockerfile');
    const runtimeStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    expect(runtimeStage).toContain(`ENV NODE_OPTIONS="${flags}"`);
    expect(runtimeStage).toMatch(/^CMD \["node", "dist\/main\.js"\]$/m);
  });

  it('are what CI smoke-tests the built service with', () => {
    expect(read('.ci/run')).toContain(`node ${flags} dist/main.js`);
  });

  it('are what the benchmark starts the gateway with', () => {
    expect(read('bench/gateway.ts')).toMatch(/\.\.\.NODE_RUNTIME_FLAGS/);
  });
});
