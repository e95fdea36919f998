/**
 * The data plane (`dist/gateway-main.js`) for the gateway bench: pinned to the server core like
 * the all-in-one gateway, on the same database, with the same node flags and environment, so the
 * all-in-one process acts as its control plane (the API, resource and consent the bench set up
 * through it are what the data plane enforces).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { DATA_PLANE_RUNTIME_FLAGS, NODE_RUNTIME_ENV } from '../../src/config/runtime-flags.js';
import { spawnPinned, stop } from './proc.js';

export const DATA_PLANE_ENTRY = (root: string) => path.join(root, 'dist', 'gateway-main.js');

export interface RunningDataPlane {
  child: ReturnType<typeof spawnPinned>;
  port: number;
}

export async function startDataPlaneProcess(o: {
  root: string;
  core: number;
  port: number;
  /** What the control plane runs with: DATABASE_URL, TRUSTED_ISSUERS, PUBLIC_URL (the built-in issuer). */
  env: Record<string, string>;
}): Promise<RunningDataPlane> {
  const entry = DATA_PLANE_ENTRY(o.root);
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build\` first`);
  const child = spawnPinned(
    o.core,
    entry,
    [],
    { ...NODE_RUNTIME_ENV, NODE_ENV: 'development', HOST: '127.0.0.1', ...o.env, PORT: String(o.port) },
    [
      ...DATA_PLANE_RUNTIME_FLAGS,
      ...(process.env.BENCH_DATA_PLANE_NODE_ARGS ?? '').split(' ').filter(Boolean),
    ],
  );
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)));
  const deadline = Date.now() + 60_000;
  for (;;) {
    const ok = await fetch(`http://127.0.0.1:${o.port}/health/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return { child, port: o.port };
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop(child);
      throw new Error(`data plane did not become ready:\n${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
