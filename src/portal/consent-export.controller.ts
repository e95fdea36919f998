/**
 * The person's own export (beyond Altinn; GDPR art. 15/20): one JSON file of every consent they
 * are the data subject of. Only ever the logged-in person's own: there is no parameter that could
 * name anyone else. Not logged in → 303 to the login, which brings them back here.
 */
import { Controller, Get, Req, Res, UseFilters } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../common/auth/auth.decorators.js';
import { ConsentExportService } from '../consents/consent-export.service.js';
import { seeOther } from './portal-http.js';
import { PortalErrorFilter } from './portal-error.filter.js';
import { PortalSessionsService } from './portal-sessions.service.js';
import { loginUrl } from './portal-urls.js';

export const EXPORT_PATH = '/consent/export';

@ApiTags('portal (HTML)')
@Public()
@UseFilters(PortalErrorFilter)
@Controller('consent')
export class ConsentExportController {
  constructor(
    private readonly exports: ConsentExportService,
    private readonly sessions: PortalSessionsService,
  ) {}

  @Get('export')
  @ApiOperation({
    summary:
      "Download the logged-in person's consents as JSON (beyond Altinn; format in docs/consent-lifecycle.md)",
  })
  @ApiProduces('application/json')
  @ApiResponse({
    status: 200,
    description: 'A file (`Content-Disposition: attachment`): consents, events, receipts and usage',
  })
  @ApiResponse({ status: 303, description: 'Not logged in: to `/login?returnTo=/consent/export`' })
  async download(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const session = await this.sessions.read(req);
    if (!session?.personId) {
      seeOther(reply, loginUrl(EXPORT_PATH));
      return;
    }
    const now = new Date();
    const body = await this.exports.exportFor(session.personId, now);
    void reply
      .status(200)
      .header('content-type', 'application/json; charset=utf-8')
      .header('content-disposition', `attachment; filename="consents-${now.toISOString().slice(0, 10)}.json"`)
      // Personal data: never kept by a browser or a proxy.
      .header('cache-control', 'no-store')
      .header('x-content-type-options', 'nosniff')
      .send(JSON.stringify(body, null, 2));
  }
}
