/**
 * The one way the service writes HTML: nunjucks templates with autoescaping always on, so every
 * value is HTML-escaped unless a template marks it `| safe`. Only HTML the service produced
 * itself under a stated sanitiser may be marked so (today the portal's consent markdown and its
 * stored receipts, see portal/consent-markdown.ts); test/unit/html-templates.spec.ts holds every
 * template to that list. No HTML is built by string concatenation anywhere.
 *
 * Each context keeps its templates in a `views/` folder next to its code, found relative to the
 * compiled file, so the same code runs from `src/` (under Jest) and `dist/` (nest-cli copies
 * `<context>/views/**` there as assets).
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type nunjucks from 'nunjucks';

/**
 * nunjucks is loaded on the first page rendered, not at boot: the gateway, the APIs and the
 * data plane never render HTML, and its ~20 modules stayed on the heap of every process that
 * imported a context with views (issue 22). A require, not an import(): render is synchronous.
 */
const load = createRequire(import.meta.url);

/** The `views/` folder beside the module at `moduleUrl` (pass `import.meta.url`). */
export function viewsDirBeside(moduleUrl: string): string {
  return fileURLToPath(new URL('./views/', moduleUrl));
}

export class ViewRenderer {
  private env?: nunjucks.Environment;

  constructor(readonly dir: string) {}

  render(name: string, context: object): string {
    this.env ??= ViewRenderer.environment(this.dir);
    return this.env.render(name, context);
  }

  private static environment(dir: string): nunjucks.Environment {
    const { Environment, FileSystemLoader } = load('nunjucks') as typeof nunjucks;
    return new Environment(new FileSystemLoader(dir, { noCache: false, watch: false }), {
      autoescape: true,
      throwOnUndefined: false,
      trimBlocks: true,
      lstripBlocks: true,
    });
  }
}
