/**
 * The docs are tested like code: every request and shell command of the getting-started guides
 * runs, in order, against a real service (real HTTP, real database, real keys), and the answers
 * must be the documented ones (test/factories/docs-runner.ts explains the format).
 *
 * What is real and what stands in:
 * - HTTP requests, curl, jq, openssl and node in the shell blocks run for real.
 * - `npm run -s token -- …` runs the token CLI's own argument parser (src/cli/cli-context.ts) and
 *   signs with the service's TokenSignerService exactly as src/cli/token.ts does; `npm run keys`,
 *   `npm run db:migrate` call the same services as their CLIs. The service itself runs inside
 *   this test process, so the compiled CLIs (which need `npm run build`) are not spawned.
 * - `docker compose …` cannot run here (no Docker engine): each invocation is checked against
 *   docker-compose.yml (services and profiles it names must exist).
 * - The sample upstream of `docker compose --profile demo` is an echo server; a local one with
 *   the same answer shape stands in for it.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parse as parseYaml } from 'yaml';
import { parseArgs } from '../../src/cli/cli-context.js';
import { isValidOrgNumber } from '../../src/common/identifiers/org-number.js';
import { parseBrregCsv, parseBrregJson } from '../../src/owners/brreg-records.js';
import { OrganizationsService } from '../../src/owners/organizations.service.js';
import { migrate } from '../../src/prisma/migrator.js';
import { PrismaService } from '../../src/prisma/prisma.service.js';
import { SigningKeysService } from '../../src/tokens/signing-keys.service.js';
import { TokenSignerService } from '../../src/tokens/token-signer.service.js';
import { createTestApp, freePort, type TestApp } from '../helpers/app.js';
import { DocsRunner, extractBlocks, type CommandResult } from '../factories/docs-runner.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const DOCS = path.join(ROOT, 'docs');

let t: TestApp;
let upstream: Server;
let upstreamUrl: string;
const upstreamHits: { path: string; headers: Record<string, unknown> }[] = [];
let workDir: string;
let runner: DocsRunner;
const dockerCalls: string[][] = [];

/** Echo upstream with the answer shape of the demo's `mendhak/http-https-echo`. */
async function startEchoUpstream(): Promise<void> {
  upstream = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://upstream');
      const hit = {
        path: url.pathname,
        method: req.method,
        query: Object.fromEntries(url.searchParams),
        headers: req.headers as Record<string, unknown>,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      upstreamHits.push(hit);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(hit));
    });
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
}

const packageJson = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  scripts: Record<string, string>;
};

const ok = (stdout = ''): CommandResult => ({ stdout, code: 0 });
const failed = (stderr: string, code = 1): CommandResult => ({ stdout: '', stderr: `${stderr}\n`, code });

/** `npm …` from the docs: npm's own behaviour for `run`, the scripts run in-process. */
async function npm(argv: string[]): Promise<CommandResult> {
  const args = [...argv];
  // A function, so TypeScript does not narrow args[0] across the shifts below.
  const first = (): string | undefined => args[0];
  let silent = false;
  if (first() === 'start') args.splice(0, 1, 'run', 'start');
  if (first() !== 'run')
    return failed(`npm ${argv.join(' ')}: only "npm run <script>" and "npm start" are used in the docs`);
  args.shift();
  while (first() === '-s' || first() === '--silent') {
    silent = true;
    args.shift();
  }
  const script = args.shift();
  if (!script || !(script in packageJson.scripts)) return failed(`npm error Missing script: "${script}"`);
  if (first() === '--') args.shift();
  // Without -s npm prints its banner on stdout (the reason the docs use -s).
  const banner = silent
    ? ''
    : `\n> ${packageJson.name}@${packageJson.version} ${script}\n> ${packageJson.scripts[script]}\n\n`;
  switch (script) {
    case 'token': {
      // src/cli/token.ts, with the service's signer.
      const a = parseArgs(args);
      if (!a.org || !isValidOrgNumber(a.org))
        return failed('--org must be a valid 9-digit organisation number');
      if (!a.scope || a.scope === 'true') return failed('--scope is required');
      if (a.supplier && !isValidOrgNumber(a.supplier))
        return failed('--supplier must be a valid organisation number');
      const ttl = a.ttl ? Number(a.ttl) : undefined;
      if (ttl !== undefined && (!Number.isInteger(ttl) || ttl < 1 || ttl > t.config.maxTokenLifetimeSeconds))
        return failed(`--ttl must be an integer between 1 and ${t.config.maxTokenLifetimeSeconds}`);
      const { token } = await t.app.get(TokenSignerService).sign({
        consumer: a.org,
        supplier: a.supplier,
        scope: a.scope.trim().split(/\s+/).join(' '),
        clientId: `cli:${a.org}`,
        clientAmr: 'cli',
        ttlSeconds: ttl ?? t.config.maxTokenLifetimeSeconds,
      });
      return ok(`${banner}${token}\n`);
    }
    case 'keys': {
      // src/cli/keys.ts
      const keys = t.app.get(SigningKeysService);
      if (first() === 'rotate') return ok(`${banner}${JSON.stringify(await keys.rotate())}\n`);
      if (first() === 'list') {
        const rows = await t.app.get(PrismaService).signingKey.findMany({ orderBy: { createdAt: 'asc' } });
        return ok(
          `${banner}${rows.map((r) => `${r.kid}\t${r.status}\t${r.createdAt.toISOString()}\n`).join('')}`,
        );
      }
      return failed('usage: npm run keys -- rotate|list');
    }
    case 'db:migrate': {
      // src/cli/migrate.ts against the service's database (idempotent).
      const lines: string[] = [];
      await migrate(t.db.url, { log: (m) => lines.push(m) });
      return ok(`${banner}${lines.map((l) => `${l}\n`).join('')}database is up to date\n`);
    }
    case 'orgs': {
      // src/cli/orgs.ts: the same parser and service, on the service's database.
      if (first() !== 'import' || !args[1]) return failed('usage: npm run orgs -- import <file>');
      const text = await readFile(path.resolve(workDir, args[1]), 'utf8');
      const parsed = /^\s*[[{]/.test(text) ? parseBrregJson(JSON.parse(text)) : parseBrregCsv(text);
      if ('problems' in parsed) return failed(`orgs: nothing imported; ${JSON.stringify(parsed.problems)}`);
      const s = await t.app.get(OrganizationsService).importMany(parsed.rows, { client: 'cli:orgs' });
      return ok(
        `${banner}imported ${parsed.rows.length} unit(s): ${s.created} created, ${s.updated} updated, ${s.unchanged} unchanged\n`,
      );
    }
    case 'start':
      return ok(banner); // the service under test is already running
    default:
      return failed(`the docs test does not run "npm run ${script}"`);
  }
}

interface ComposeFile {
  services: Record<string, { profiles?: string[] }>;
}

/** `docker …` from the docs: checked against docker-compose.yml (no Docker engine here). */
async function docker(argv: string[]): Promise<CommandResult> {
  dockerCalls.push(argv);
  const compose = parseYaml(await readFile(path.join(ROOT, 'docker-compose.yml'), 'utf8')) as ComposeFile;
  if (argv[0] !== 'compose') return failed(`docker ${argv[0]}: the docs only use "docker compose"`);
  const profiles = new Set(Object.values(compose.services).flatMap((s) => s.profiles ?? []));
  const services = new Set(Object.keys(compose.services));
  const commands = new Set([
    'up',
    'down',
    'ps',
    'logs',
    'exec',
    'run',
    'pull',
    'build',
    'restart',
    'stop',
    'start',
  ]);
  let command: string | undefined;
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--profile') {
      if (!profiles.has(argv[++i])) return failed(`docker-compose.yml has no profile "${argv[i]}"`);
    } else if (a.startsWith('-')) continue;
    else if (!command) {
      if (!commands.has(a)) return failed(`unexpected docker compose command "${a}"`);
      command = a;
      if (command === 'exec' || command === 'run') {
        // docker compose exec|run [options] <service> …; some options take a value.
        const withValue = new Set([
          '-e',
          '--env',
          '-u',
          '--user',
          '-w',
          '--workdir',
          '--name',
          '--entrypoint',
          '-p',
          '--publish',
          '-v',
          '--volume',
          '-l',
          '--label',
        ]);
        let j = i + 1;
        while (argv[j]?.startsWith('-')) j += withValue.has(argv[j]) ? 2 : 1;
        if (!services.has(argv[j])) return failed(`docker-compose.yml has no service "${argv[j]}"`);
        break;
      }
    } else if (!services.has(a) && command !== 'up')
      return failed(`docker-compose.yml has no service "${a}"`);
    else if (command === 'up' && !services.has(a)) return failed(`docker-compose.yml has no service "${a}"`);
  }
  if (!command) return failed('docker compose without a command');
  return ok();
}

beforeAll(async () => {
  t = await createTestApp();
  await startEchoUpstream();
  workDir = await mkdtemp(path.join(tmpdir(), 'consentgw-docs-'));
  runner = new DocsRunner({
    workDir,
    pinnedVars: { gateway: t.url, upstream: upstreamUrl },
    pinnedEnv: { GATEWAY: t.url, RECEIVER_PORT: String(await freePort()), DATABASE_URL: t.db.url },
    replacements: { 'http://localhost:8080': t.url },
    npm,
    docker,
  });
  await runner.start();
});

afterAll(async () => {
  // The consumers guide starts its webhook receiver in the background and stops it at the end;
  // stop it here too if the guide failed half-way.
  const pid = await readFile(path.join(workDir, 'webhook-receiver.pid'), 'utf8').catch(() => '');
  if (/^\d+\s*$/.test(pid)) {
    try {
      process.kill(Number(pid));
    } catch {
      /* already gone */
    }
  }
  await runner?.stop();
  await new Promise<void>((resolve) => (upstream ? upstream.close(() => resolve()) : resolve()));
  await t?.close();
  await rm(workDir, { recursive: true, force: true });
});

async function blocksOf(file: string) {
  return extractBlocks(await readFile(path.join(DOCS, file), 'utf8'), `docs/${file}`);
}

describe('docs', () => {
  it('getting started for service owners runs as written', async () => {
    await runner.run(await blocksOf('getting-started-service-owners.md'));
    expect(runner.ran.filter((r) => r.file.endsWith('service-owners.md')).length).toBeGreaterThan(10);
  }, 120_000);

  it('getting started for data consumers runs as written, from client registration to a call through the gateway', async () => {
    await runner.run(await blocksOf('getting-started-consumers.md'));
    // The gateway call reached the upstream with the verified consent headers the guide lists.
    const guide = (await (
      await fetch(`${t.url}/guide/skd-inntekt`, { headers: { accept: 'application/json' } })
    ).json()) as {
      gateway: { headers: { name: string }[] };
    };
    const hit = upstreamHits.find((h) => h.path === '/inntekt/v1/inntekt');
    expect(hit).toBeDefined();
    for (const { name } of guide.gateway.headers)
      expect(Object.keys(hit!.headers)).toContain(name.toLowerCase());
    expect(hit!.headers.authorization).toBeUndefined();
  }, 180_000);

  it('operations: every command runs (or, for docker compose, matches docker-compose.yml)', async () => {
    let blocks = await blocksOf('operations.md');
    // The embedded database (PGlite) is PostgreSQL 18, which the pg_dump 15 of this machine
    // refuses to dump: the backup commands run only when the tests run on PostgreSQL.
    if (t.db.embedded) blocks = blocks.filter((b) => !/^\s*pg_dump /m.test(b.text));
    await runner.run(blocks);
    expect(dockerCalls.map((c) => c.join(' '))).toEqual([
      'compose up --build -d',
      'compose --profile demo up --build -d',
      'compose ps',
      'compose --profile demo up -d postgres upstream',
      'compose run --rm --service-ports -e NODE_ENV=development consent-gateway',
      'compose exec -T postgres pg_dump -U consentgw --format=custom consentgw',
    ]);
  }, 120_000);

  it('every fenced request or command in docs/ is in a document this test runs', async () => {
    const { readdir } = await import('node:fs/promises');
    const run = new Set([
      'getting-started-service-owners.md',
      'getting-started-consumers.md',
      'operations.md',
    ]);
    for (const file of await readdir(DOCS)) {
      if (!file.endsWith('.md') || run.has(file)) continue;
      const executable = (await blocksOf(file)).filter((b) => ['http', 'sh', 'bash'].includes(b.lang));
      expect([file, executable.map((b) => b.line)]).toEqual([file, []]);
    }
  });
});
