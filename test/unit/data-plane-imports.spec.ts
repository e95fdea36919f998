/**
 * The data plane (`src/gateway-main.ts`) exists to not load what the gateway does not use
 * (issue 22: a whole app's modules on the heap cost the gateway memory and CPU). This walks its
 * static import graph, as the compiled output will load it (type-only imports are erased), and
 * holds it to that: no controller, DTO or context module of ours, none of the HTTP framework,
 * API documentation, HTML or configuration-framework packages. scripts/loaded-modules.mjs
 * measures what is actually loaded at run time.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'src');

/** Value imports and re-exports of a file: `import type …` and `{ type A, type B }` only are erased. */
function valueImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs: string[] = [];
  for (const m of text.matchAll(/^(?:import|export)\s+(type\s+)?([^;]*?)\s+from\s+'([^']+)'/gms)) {
    if (m[1]) continue;
    const braces = /^\{([^}]*)\}$/.exec(m[2].trim());
    const names = braces?.[1]
      .split(',')
      .map((n) => n.trim())
      .filter(Boolean);
    if (names && names.length > 0 && names.every((n) => n.startsWith('type '))) continue;
    specs.push(m[3]);
  }
  for (const m of text.matchAll(/^import\s+'([^']+)'/gm)) specs.push(m[1]);
  return specs;
}

function graph(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    for (const spec of valueImports(file)) {
      if (spec.startsWith('.')) {
        const target = path.resolve(path.dirname(file), spec).replace(/\.js$/, '.ts');
        if (existsSync(target)) visit(target);
        else if (existsSync(target.replace(/\.ts$/, '/index.ts')))
          visit(target.replace(/\.ts$/, '/index.ts'));
      } else if (!spec.startsWith('node:')) {
        packages.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);
      }
    }
  };
  visit(path.join(SRC, entry));
  return { files, packages };
}

describe('the data plane’s import graph (src/gateway-main.ts)', () => {
  const { files, packages } = graph('gateway-main.ts');
  const ours = [...files].map((f) => path.relative(SRC, f));

  it('reaches the gateway, its checks and the services they use', () => {
    expect(ours).toEqual(
      expect.arrayContaining([
        'data-plane/start-data-plane.ts',
        'gateway/gateway-proxy.service.ts',
        'gateway/checks/token.check.ts',
        'common/auth/token-verifier.ts',
        'consents/consents.service.ts',
      ]),
    );
  });

  it('loads no controller, DTO or view of ours, and of the modules only the foundations’ and its own', () => {
    expect(ours.filter((f) => /\.controller\.ts$|\.dto\.ts$|\/dto\/|\/views\//.test(f))).toEqual([]);
    expect(ours.filter((f) => f.endsWith('.module.ts')).sort()).toEqual([
      'common/events/events.module.ts',
      'common/paging/paging.module.ts',
      'common/tracing/tracing.module.ts',
      'config/app-config-lean.module.ts',
      'data-plane/data-plane.module.ts',
      'prisma/prisma.module.ts',
    ]);
  });

  it('loads none of the HTTP framework, API documentation, HTML or config-framework packages', () => {
    const unwanted = [
      'fastify',
      '@nestjs/platform-fastify',
      '@fastify/cookie',
      '@fastify/static',
      '@nestjs/swagger',
      '@nestjs/terminus',
      '@nestjs/config',
      'class-validator',
      'class-transformer',
      'markdown-it',
      'openid-client',
      'csv-parse',
      // loaded on first use only: a policy pattern, a page, a consent text
      're2js',
      'nunjucks',
    ];
    expect([...packages].filter((p) => unwanted.includes(p)).sort()).toEqual([]);
  });
});
