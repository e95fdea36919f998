/**
 * Serves the portal's self-hosted assets (see portal-assets.ts): one stylesheet, the Inter font
 * files and the operator's logo. Public, cacheable, never HTML.
 */
import { Controller, Get, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../common/auth/auth.decorators.js';
import { DomainError } from '../common/errors/domain-error.js';
import { PortalAssets, type StaticAsset } from './portal-assets.js';

/**
 * An asset never runs anything: an operator's SVG logo opened on its own gets a sandbox with no
 * scripts, so a hostile SVG cannot act in our origin.
 */
const ASSET_CSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox";

@ApiExcludeController()
@Public()
@Controller('consent/assets')
export class PortalAssetsController {
  constructor(private readonly assets: PortalAssets) {}

  @Get('portal.css')
  stylesheet(@Res() reply: FastifyReply): void {
    send(reply, { body: Buffer.from(this.assets.stylesheet), contentType: 'text/css; charset=utf-8' });
  }

  @Get('fonts/:file')
  font(@Param('file') file: string, @Res() reply: FastifyReply): void {
    send(reply, this.assets.fonts.get(file) ?? null);
  }

  @Get('logo')
  logo(@Res() reply: FastifyReply): void {
    send(reply, this.assets.logo);
  }
}

function send(reply: FastifyReply, asset: StaticAsset | null): void {
  void reply
    .header('x-content-type-options', 'nosniff')
    .header('content-security-policy', ASSET_CSP)
    .header('cross-origin-resource-policy', 'same-origin');
  if (!asset) throw new DomainError(404, 'STD-00404', 'There is no such asset.');
  void reply
    .status(200)
    .header('content-type', asset.contentType)
    .header('cache-control', 'public, max-age=3600')
    .send(asset.body);
}
