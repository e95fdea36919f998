/**
 * The layering of docs/architecture.md (and CONVENTIONS.md), checked on the import graph of
 * src/ on every test run, so a change that breaks it fails here and not in review:
 * config → prisma → common → contexts by layer; a context imports only lower layers, and of
 * another context only its public surface; no cycles between files; process.env only in config.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'src');

/** Bounded contexts by layer (docs/architecture.md); a context may import only lower layers. */
export const CONTEXT_LAYERS: Record<string, number> = {
  audit: 0,
  health: 0,
  owners: 1,
  scopes: 1,
  resources: 2,
  clients: 2,
  'access-lists': 2,
  consents: 3,
  'access-requests': 3,
  guide: 3,
  tokens: 4,
  portal: 4,
  webhooks: 4,
  gateway: 5,
  'admin-login': 5,
};
/** What the foundations may import, besides themselves and the generated Prisma client. */
const FOUNDATIONS: Record<string, string[]> = {
  config: [],
  prisma: ['config'],
  common: ['config', 'prisma'],
};
/**
 * The composition roots (the service, the data plane: `gateway-main.ts` over `data-plane/`) and the
 * CLIs wire everything together; nothing imports them but their own entry.
 */
const ROOTS = new Set(['main.ts', 'app.module.ts', 'app.setup.ts', 'cli', 'gateway-main.ts', 'data-plane']);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) return name === 'generated' ? [] : sourceFiles(p);
    return p.endsWith('.ts') && !p.endsWith('.spec.ts') ? [p] : [];
  });
}

const files = sourceFiles(SRC);
const text = new Map(files.map((f) => [f, readFileSync(f, 'utf8')]));
/** file → the files of ours it imports (static, re-exports and dynamic imports). */
const imports = new Map(
  files.map((f) => {
    const specs = [...text.get(f)!.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map((m) => m[1]);
    return [f, specs.map((s) => path.resolve(path.dirname(f), s).replace(/\.js$/, '.ts'))];
  }),
);
const top = (f: string) => path.relative(SRC, f).split(path.sep)[0];
const rel = (f: string) => path.relative(SRC, f);

/** A context's public surface: its module, the files of the providers it exports, its services and view/record types. */
function publicSurface(context: string): Set<string> {
  const surface = new Set<string>();
  for (const f of files.filter((x) => top(x) === context)) {
    if (/\.(module|service|view|record)\.ts$/.test(f)) surface.add(f);
    if (!f.endsWith('.module.ts')) continue;
    const src = text.get(f)!;
    const exported = /exports:\s*\[([^\]]*)\]/.exec(src)?.[1].match(/\w+/g) ?? [];
    for (const name of exported) {
      const from = new RegExp(`import\\s*\\{[^}]*\\b${name}\\b[^}]*\\}\\s*from\\s*'(\\.[^']+)'`).exec(
        src,
      )?.[1];
      if (from) surface.add(path.resolve(path.dirname(f), from).replace(/\.js$/, '.ts'));
    }
  }
  return surface;
}

describe('the architecture (docs/architecture.md)', () => {
  it('knows every folder of src/', () => {
    const known = new Set([...Object.keys(CONTEXT_LAYERS), ...Object.keys(FOUNDATIONS), ...ROOTS]);
    expect([...new Set(files.map(top))].filter((t) => !known.has(t))).toEqual([]);
  });

  it('keeps the foundations below the contexts: config → prisma → common', () => {
    const wrong: string[] = [];
    for (const [f, targets] of imports) {
      const from = top(f);
      if (!(from in FOUNDATIONS)) continue;
      for (const t of targets)
        if (top(t) !== from && top(t) !== 'generated' && !FOUNDATIONS[from].includes(top(t)))
          wrong.push(`${rel(f)} → ${rel(t)}`);
    }
    expect(wrong).toEqual([]);
  });

  it('lets a context import only lower layers, and of those only their public surface', () => {
    const surfaces = new Map(Object.keys(CONTEXT_LAYERS).map((c) => [c, publicSurface(c)]));
    const wrong: string[] = [];
    for (const [f, targets] of imports) {
      const from = top(f);
      if (!(from in CONTEXT_LAYERS)) continue;
      for (const t of targets) {
        const to = top(t);
        if (to === from || to in FOUNDATIONS || to === 'generated') continue;
        if (!(to in CONTEXT_LAYERS)) wrong.push(`${rel(f)} → ${rel(t)} (not a context)`);
        else if (CONTEXT_LAYERS[to] >= CONTEXT_LAYERS[from]) wrong.push(`${rel(f)} → ${rel(t)} (layer)`);
        else if (!surfaces.get(to)!.has(t)) wrong.push(`${rel(f)} → ${rel(t)} (internal file)`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('has no import cycle between files', () => {
    const state = new Map<string, 'open' | 'done'>();
    const cycles: string[] = [];
    const visit = (f: string, trail: string[]) => {
      if (state.get(f) === 'done') return;
      if (state.get(f) === 'open') {
        cycles.push([...trail.slice(trail.indexOf(f)), f].map(rel).join(' → '));
        return;
      }
      state.set(f, 'open');
      for (const t of imports.get(f) ?? []) if (imports.has(t)) visit(t, [...trail, f]);
      state.set(f, 'done');
    };
    for (const f of files) visit(f, []);
    expect(cycles).toEqual([]);
  });

  it('reads process.env only in src/config', () => {
    expect(files.filter((f) => top(f) !== 'config' && /process\.env\b/.test(text.get(f)!)).map(rel)).toEqual(
      [],
    );
  });

  it('names Nest classes after their files (CONVENTIONS rule 1)', () => {
    const pascal = (s: string) => s.replace(/(^|[-.])([a-z])/g, (_m, _s, c: string) => c.toUpperCase());
    /** Known exceptions: an acronym, and two classes that share a file with their namesake. */
    const allowed = new Set(['OAuthErrorFilter', 'ConsentLookupController', 'GatewayStateCache']);
    const wrong: string[] = [];
    for (const f of files) {
      const expected = pascal(path.basename(f, '.ts'));
      for (const m of text
        .get(f)!
        .matchAll(
          /@(?:Injectable|Controller|Module|Catch)\([^)]*\)\s*(?:@[^\n]*\s*)*export (?:abstract )?class (\w+)/g,
        ))
        if (m[1] !== expected && !allowed.has(m[1])) wrong.push(`${rel(f)}: ${m[1]} (expected ${expected})`);
    }
    expect(wrong).toEqual([]);
  });

  /**
   * Database access (docs/architecture.md): Prisma for CRUD; raw SQL only in a context's
   * `*.repository.ts` (checked against schema.prisma by test/unit/raw-sql-schema.spec.ts) or in
   * prisma/. The files listed below predate the rule and may only leave the list (move their SQL
   * into a repository, then delete the line); a new file with raw SQL fails here.
   */
  it('keeps raw SQL in repositories, and the one private pg pool in prisma/', () => {
    const RAW_SQL = /\$(?:queryRaw|executeRaw)(?:Unsafe)?\b|\bSqlPool\b/;
    const ALLOWED = new Set([
      // The change path's NOTIFY, written in the caller's transaction (one helper for every context).
      'audit/change-log.service.ts',
      // The readiness probe's `SELECT 1` (the service's HealthController and the data plane).
      'health/database-probe.ts',
    ]);
    const outside = files
      .filter((f) => top(f) !== 'prisma' && !f.endsWith('.repository.ts') && !ALLOWED.has(rel(f)))
      .filter((f) => RAW_SQL.test(text.get(f)!))
      .map(rel)
      .sort();
    expect(outside).toEqual([]);
    const pools = files.filter((f) => /new pg\.Pool\b|\bguardedPool\(/.test(text.get(f)!)).map(rel);
    // guarded-pg.ts defines guardedPool; Prisma's adapter pool and the one SqlPool use it.
    expect(pools.sort()).toEqual(['prisma/guarded-pg.ts', 'prisma/prisma.service.ts', 'prisma/sql-pool.ts']);
  });
});
