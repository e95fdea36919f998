/**
 * The portal's pages: its templates in `portal/views/` on the common renderer (autoescape on;
 * `| safe` only for the sanitised consent markdown and stored receipts), and its stylesheet.
 */
import { readFileSync } from 'node:fs';
import { Injectable } from '@nestjs/common';
import { viewsDirBeside, ViewRenderer } from '../common/templating/view-renderer.js';

@Injectable()
export class PortalViews {
  private readonly renderer = new ViewRenderer(viewsDirBeside(import.meta.url));
  /** The one stylesheet, read once (CSP `style-src 'self'`: no inline styles anywhere). */
  readonly stylesheet = readFileSync(`${this.renderer.dir}portal.css`, 'utf8');

  render(name: string, context: object): string {
    return this.renderer.render(name, context);
  }
}
