import { Controller, Get, Headers, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../common/auth/auth.decorators.js';
import { ResourcesService } from '../resources/resources.service.js';
import { GUIDE_CSP } from './guide-views.js';
import { pickLang } from './guide-texts.js';
import { LandingViews } from './landing-views.js';

/** The service's front door for a browser: links to everything a newcomer looks for. */
@ApiTags('integration guide')
@Controller()
@Public()
export class LandingController {
  constructor(
    private readonly resources: ResourcesService,
    private readonly views: LandingViews,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'Landing page (HTML): links to the API reference, the portal, the integration guides and health',
    description: 'Language: `?lang=nb|en`, else `Accept-Language`, else nb.',
  })
  @ApiQuery({ name: 'lang', required: false, enum: ['nb', 'en'] })
  @ApiProduces('text/html')
  @ApiOkResponse({ description: 'An HTML page' })
  async landing(
    @Query('lang') langParam: unknown,
    @Headers('accept-language') acceptLanguage: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    const lang = pickLang(langParam, acceptLanguage);
    const guides = (await this.resources.list()).map((r) => ({
      identifier: r.identifier,
      title: r.title[lang] ?? r.title.nb,
    }));
    void reply
      .header('content-type', 'text/html; charset=utf-8')
      .header('content-security-policy', GUIDE_CSP)
      .header('vary', 'Accept-Language')
      .header('cache-control', 'no-cache');
    return this.views.page(lang, guides);
  }
}
