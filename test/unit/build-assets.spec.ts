/**
 * `npm run build` must ship every context's templates: ViewRenderer reads `<context>/views/`
 * beside the compiled file, and Jest runs from `src/`, so a `views/` folder that nest-cli
 * does not copy into `dist/` passes every e2e test and answers 500 in the built service
 * (the admin login's `/authorize` page did: "template not found: choose.njk").
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const SRC = path.join(ROOT, 'src');

function viewDirs(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    if (!statSync(p).isDirectory() || name === 'generated') return [];
    return name === 'views' ? [path.relative(SRC, p).split(path.sep).join('/')] : viewDirs(p);
  });
}

describe('build assets', () => {
  it('nest-cli.json copies every views/ folder of src/ into dist/', () => {
    const cli = JSON.parse(readFileSync(path.join(ROOT, 'nest-cli.json'), 'utf8')) as {
      compilerOptions: { assets: { include: string }[] };
    };
    const included = cli.compilerOptions.assets.map((a) => a.include);
    const dirs = viewDirs(SRC);
    expect(dirs).toContain('admin-login/views');
    for (const dir of dirs) expect(included).toContain(`${dir}/**/*`);
  });
});
