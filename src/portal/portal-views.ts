/**
 * Server-side rendering with nunjucks (autoescape on: every value is HTML-escaped unless a
 * template says `| safe`, which only the sanitised consent markdown and stored receipts do).
 *
 * The views directory is found relative to this compiled file, so the same code works from
 * `src/` under ts-jest and from `dist/` (nest-cli copies `portal/views/**` there as assets).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Injectable } from '@nestjs/common';
import nunjucks from 'nunjucks';

export function viewsDir(): string {
  return fileURLToPath(new URL('./views/', import.meta.url));
}

@Injectable()
export class PortalViews {
  private readonly env: nunjucks.Environment;
  /** The one stylesheet, read once (CSP `style-src 'self'`: no inline styles anywhere). */
  readonly stylesheet: string;

  constructor() {
    const dir = viewsDir();
    this.env = new nunjucks.Environment(
      new nunjucks.FileSystemLoader(dir, { noCache: false, watch: false }),
      {
        autoescape: true,
        throwOnUndefined: false,
        trimBlocks: true,
        lstripBlocks: true,
      },
    );
    this.stylesheet = readFileSync(`${dir}portal.css`, 'utf8');
  }

  render(name: string, context: object): string {
    return this.env.render(name, context);
  }
}
