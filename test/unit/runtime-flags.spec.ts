import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import {
  DATA_PLANE_RUNTIME_FLAGS,
  NODE_RUNTIME_ENV,
  NODE_RUNTIME_FLAGS,
} from '../../src/config/runtime-flags.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');
const flags = NODE_RUNTIME_FLAGS.join(' ');
const envPrefix = Object.entries(NODE_RUNTIME_ENV)
  .map(([k, v]) => `${k}=${v}`)
  .join(' ');

describe('the V8 heap settings (src/config/runtime-flags.ts)', () => {
  it('are what `npm start` runs the service and `npm run start:gateway` the data plane with', () => {
    const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
    expect(scripts.start).toContain(`${envPrefix} node ${flags} dist/main.js`);
    expect(scripts['start:gateway']).toContain(
      `${envPrefix} node ${DATA_PLANE_RUNTIME_FLAGS.join(' ')} dist/gateway-main.js`,
    );
  });

  it('are the container image’s NODE_OPTIONS, which the service itself runs under', () => {
    const dockerfile = read('Dockerfile');
    const runtimeStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    expect(runtimeStage).toContain(`ENV NODE_OPTIONS="${flags}"`);
    for (const [k, v] of Object.entries(NODE_RUNTIME_ENV)) expect(runtimeStage).toContain(`ENV ${k}=${v}`);
    expect(runtimeStage).toMatch(/^CMD \["node", "dist\/main\.js"\]$/m);
  });

  it('are what CI smoke-tests the built service with', () => {
    const ci = read('.ci/run');
    expect(ci).toContain(`node ${flags} dist/main.js`);
    for (const [k, v] of Object.entries(NODE_RUNTIME_ENV)) expect(ci).toContain(`${k}=${v} \\\n`);
  });

  it('are what the benchmark starts the gateway and the data plane with', () => {
    expect(read('bench/gateway.ts')).toMatch(/\.\.\.NODE_RUNTIME_FLAGS/);
    expect(read('bench/lib/data-plane.ts')).toMatch(/\.\.\.DATA_PLANE_RUNTIME_FLAGS/);
    for (const file of ['bench/gateway.ts', 'bench/lib/data-plane.ts'])
      expect(read(file)).toMatch(/\.\.\.NODE_RUNTIME_ENV/);
  });

  it('give the data plane the service’s old space and its own semi-spaces, in the image too', () => {
    expect(DATA_PLANE_RUNTIME_FLAGS[0]).toBe(NODE_RUNTIME_FLAGS[0]);
    const semi = DATA_PLANE_RUNTIME_FLAGS.find((f) => f.startsWith('--max-semi-space-size='))!;
    const compose = read('docker-compose.yml');
    expect(compose).toContain(`command: ['node', '${semi}', 'dist/gateway-main.js']`);
  });
});
