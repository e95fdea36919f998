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
import { fileURLToPath } from 'node:url';
import nunjucks from 'nunjucks';

/** The `views/` folder beside the module at `moduleUrl` (pass `import.meta.url`). */
export function viewsDirBeside(moduleUrl: string): string {
  return fileURLToPath(new URL('./views/', moduleUrl));
}

export class ViewRenderer {
  private readonly env: nunjucks.Environment;

  constructor(readonly dir: string) {
    this.env = new nunjucks.Environment(
      new nunjucks.FileSystemLoader(dir, { noCache: false, watch: false }),
      {
        autoescape: true,
        throwOnUndefined: false,
        trimBlocks: true,
        lstripBlocks: true,
      },
    );
  }

  render(name: string, context: object): string {
    return this.env.render(name, context);
  }
}
