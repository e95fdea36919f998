import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { DEFAULT_MIGRATIONS_DIR } from '../../src/prisma/migrator.js';

/**
 * Docker is not available on these machines, so the container files cannot be run here. These
 * checks read them instead and hold them to what the service needs: what the Dockerfile copies
 * must be what the code reads at runtime, and compose must start PostgreSQL before the service.
 */

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

interface ComposeService {
  build?: string | { context?: string };
  image?: string;
  environment?: Record<string, string | number | boolean | null> | string[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: { test?: string | string[] };
  volumes?: (string | { type?: string; source?: string; target?: string })[];
  profiles?: string[];
  ports?: (string | number)[];
}

interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

const compose = parse(read('docker-compose.yml')) as ComposeFile;
const GATEWAY = 'consent-gateway';

/** Both compose spellings of `environment` (map or `KEY=value` list), as a map of strings. */
function environment(service: ComposeService): Record<string, string> {
  const env = service.environment ?? {};
  if (Array.isArray(env))
    return Object.fromEntries(env.map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v ?? '')]));
}

/** What compose substitutes when the variables are unset: `${X:-default}` → default, `${X}` → ''. */
function withDefaults(value: string): string {
  return value.replace(/\$\{(\w+)(?::?-([^}]*))?\}/g, (_all, _name, def: string | undefined) => def ?? '');
}

interface Instruction {
  keyword: string;
  args: string;
}

/** Dockerfile → instructions, with `\` continuations joined and comments dropped. */
function dockerfileInstructions(text: string): Instruction[] {
  const lines = text.replace(/\\\r?\n/g, ' ').split(/\r?\n/);
  return lines
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const m = /^(\w+)\s+(.*)$/.exec(l)!;
      return { keyword: m[1].toUpperCase(), args: m[2].trim() };
    });
}

const instructions = dockerfileInstructions(read('Dockerfile'));
const stageStarts = instructions.flatMap((ins, i) => (ins.keyword === 'FROM' ? [i] : []));
const finalStage = instructions.slice(stageStarts.at(-1));
const finalStageOf = (keyword: string) => finalStage.filter((i) => i.keyword === keyword);

describe('docker-compose.yml', () => {
  it('runs the gateway built from this repository after PostgreSQL reports healthy', () => {
    const gateway = compose.services[GATEWAY];

    expect(gateway).toBeDefined();
    const build = typeof gateway.build === 'string' ? gateway.build : gateway.build?.context;
    expect(build).toBe('.');
    expect(gateway.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
  });

  it('gives the gateway its database URL, public URL and a required key encryption secret', () => {
    const env = environment(compose.services[GATEWAY]);

    expect(env.NODE_ENV).toBe('production');
    expect(Object.keys(env)).toEqual(
      expect.arrayContaining(['DATABASE_URL', 'PUBLIC_URL', 'KEY_ENCRYPTION_SECRET']),
    );
    // `:?` makes compose refuse to start without it, instead of the service failing at boot.
    expect(env.KEY_ENCRYPTION_SECRET).toMatch(/^\$\{KEY_ENCRYPTION_SECRET:\?.+\}$/);
    expect(new URL(withDefaults(env.PUBLIC_URL)).protocol).toMatch(/^https?:$/);
  });

  it('points DATABASE_URL at the postgres service with the user, password and database it creates', () => {
    const gatewayEnv = environment(compose.services[GATEWAY]);
    const pgEnv = environment(compose.services.postgres);
    const url = new URL(withDefaults(gatewayEnv.DATABASE_URL));

    expect(url.protocol).toBe('postgresql:');
    expect(url.hostname).toBe('postgres');
    expect(url.username).toBe(pgEnv.POSTGRES_USER);
    expect(decodeURIComponent(url.password)).toBe(withDefaults(pgEnv.POSTGRES_PASSWORD));
    expect(url.pathname).toBe(`/${pgEnv.POSTGRES_DB}`);
  });

  it('runs PostgreSQL 16 with a pg_isready health check and its data on a named volume', () => {
    const postgres = compose.services.postgres;

    expect(postgres.image).toMatch(/^postgres:16([.-]|$)/);
    expect(JSON.stringify(postgres.healthcheck?.test)).toContain('pg_isready');
    const dataMount = (postgres.volumes ?? [])
      .map((v) => (typeof v === 'string' ? { source: v.split(':')[0], target: v.split(':')[1] } : v))
      .find((v) => v.target === '/var/lib/postgresql/data');
    expect(dataMount).toBeDefined();
    // A named volume (declared at the top level), not a bind mount of some host directory.
    expect(Object.keys(compose.volumes ?? {})).toContain(dataMount!.source);
  });

  it('starts a sample upstream only with the demo profile, and everything else by default', () => {
    const demo = Object.entries(compose.services).filter(([, s]) => s.profiles?.includes('demo'));

    expect(demo.length).toBeGreaterThan(0);
    // A pinned tag: `latest` of a third-party image changes under the demo without notice.
    for (const [, s] of demo) expect(s.image).toMatch(/:[\w.-]+$/);
    for (const [, s] of demo) expect(s.image).not.toMatch(/:latest$/);
    expect(compose.services[GATEWAY].profiles).toBeUndefined();
    expect(compose.services.postgres.profiles).toBeUndefined();
  });
});

describe('Dockerfile', () => {
  it('builds in one stage and runs from another, both on node:20-bookworm-slim', () => {
    const froms = instructions.filter((i) => i.keyword === 'FROM').map((i) => i.args);

    expect(froms.length).toBeGreaterThanOrEqual(2);
    for (const from of froms) expect(from).toMatch(/^node:20-bookworm-slim\s+AS\s+\w+$/i);
    const builder = /AS\s+(\w+)$/i.exec(froms[0])![1];
    const builderStage = instructions.slice(stageStarts[0], stageStarts[1]).map((i) => i.args);
    expect(builderStage.some((a) => /\bnpm ci\b/.test(a))).toBe(true);
    expect(builderStage.some((a) => /\bnpm run build\b/.test(a))).toBe(true);
    expect(
      finalStageOf('COPY').some((i) => i.args.includes(`--from=${builder}`) && /\bdist\b/.test(i.args)),
    ).toBe(true);
  });

  it('runs as a non-root user', () => {
    const users = finalStageOf('USER').map((i) => i.args.split(':')[0]);

    expect(users.length).toBeGreaterThan(0);
    expect(['root', '0']).not.toContain(users.at(-1));
  });

  it('checks readiness with node itself and starts node directly on dist/main.js', () => {
    const healthcheck = finalStageOf('HEALTHCHECK').at(-1)?.args ?? '';
    const cmd = finalStageOf('CMD').at(-1)?.args ?? '';

    expect(healthcheck).toContain('/health/ready');
    expect(healthcheck).toMatch(/CMD \["node", "-e", ".*fetch\(/);
    expect(JSON.parse(cmd)).toEqual(['node', 'dist/main.js']);
    expect(finalStageOf('ENV').map((i) => i.args)).toContain('NODE_ENV=production');
    expect(finalStageOf('EXPOSE').map((i) => i.args)).toContain('8080');
  });

  it('starts the file the build really produces', () => {
    // nest build compiles with tsconfig's rootDir ./src into outDir ./dist: src/main.ts → dist/main.js.
    const tsconfig = JSON.parse(read('tsconfig.json')) as {
      compilerOptions: { rootDir: string; outDir: string };
    };

    expect(path.normalize(tsconfig.compilerOptions.outDir)).toBe('dist');
    expect(path.normalize(tsconfig.compilerOptions.rootDir)).toBe('src');
    expect(existsSync(path.join(ROOT, 'src', 'main.ts'))).toBe(true);
  });

  it('installs production dependencies without running our postinstall, which needs the dev-only Prisma CLI', () => {
    const install = finalStageOf('RUN').find((i) => /\bnpm ci\b/.test(i.args))?.args ?? '';

    expect(install).toContain('--omit=dev');
    expect(install).toContain('--ignore-scripts');
  });

  it('loses no production package the service needs to --omit=optional', () => {
    // The runtime stage omits optional packages to drop the Prisma CLI (a dev dependency and an
    // optional peer of @prisma/client, hence "devOptional" in the lockfile). That is only safe
    // while every optional-only production package is one Node never loads. A new one (say, a
    // platform-specific native binary) must be looked at before it silently goes missing.
    const NOT_NEEDED_ON_NODE = [
      // pg's socket for Cloudflare Workers; pg requires it only when it detects that runtime.
      'node_modules/pg-cloudflare',
    ];
    const lock = JSON.parse(read('package-lock.json')) as {
      packages: Record<string, { optional?: boolean; dev?: boolean }>;
    };
    const optionalProduction = Object.entries(lock.packages)
      .filter(([, p]) => p.optional === true && p.dev !== true)
      .map(([name]) => name);

    expect(finalStageOf('RUN').some((i) => i.args.includes('--omit=optional'))).toBe(true);
    expect(optionalProduction.filter((name) => !NOT_NEEDED_ON_NODE.includes(name))).toEqual([]);
  });

  it('puts the migrations where the compiled migrator looks for them', () => {
    // The migrator resolves ../../prisma/migrations from its own file. dist/prisma/migrator.js
    // sits as deep as src/prisma/migrator.ts, so in the image that is <WORKDIR>/prisma/migrations.
    expect(DEFAULT_MIGRATIONS_DIR).toBe(path.join(ROOT, 'prisma', 'migrations'));
    const workdir = finalStageOf('WORKDIR').at(-1)?.args ?? '/';
    const copies = finalStageOf('COPY').map((i) => i.args.split(/\s+/).filter((a) => !a.startsWith('--')));
    const migrationsCopy = copies.find(([source]) =>
      source?.replace(/\/$/, '').endsWith('prisma/migrations'),
    );

    expect(migrationsCopy).toBeDefined();
    expect(path.posix.resolve(workdir, migrationsCopy!.at(-1)!)).toBe(
      path.posix.join(workdir, 'prisma', 'migrations'),
    );
  });
});

describe('.dockerignore', () => {
  const ignored = read('.dockerignore')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));

  it('keeps host dependencies, build output, local data and secrets out of the build context', () => {
    expect(ignored).toEqual(
      expect.arrayContaining(['node_modules', 'dist', 'src/generated', 'data', '.env']),
    );
  });

  it('keeps everything the build needs in it', () => {
    for (const needed of [
      'src',
      'prisma',
      'package.json',
      'package-lock.json',
      'tsconfig.json',
      'nest-cli.json',
    ])
      expect(ignored).not.toContain(needed);
  });
});
