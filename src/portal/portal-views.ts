/**
 * The portal's pages: its templates in `portal/views/` on the common renderer (autoescape on;
 * `| safe` only for the sanitised consent markdown and stored receipts). The stylesheet and
 * fonts are in portal-assets.ts.
 */
import { Injectable } from '@nestjs/common';
import { viewsDirBeside, ViewRenderer } from '../common/templating/view-renderer.js';

@Injectable()
export class PortalViews {
  private readonly renderer = new ViewRenderer(viewsDirBeside(import.meta.url));

  render(name: string, context: object): string {
    return this.renderer.render(name, context);
  }
}
