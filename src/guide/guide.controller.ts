import { Controller, Get, Headers, Inject, Param, Query, Res } from '@nestjs/common';
import {
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiProduces,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../common/auth/auth.decorators.js';
import { DomainError } from '../common/errors/domain-error.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { GuideDto } from './dto/guide.dto.js';
import { GUIDE_CSP, GuideViews } from './guide-views.js';
import { pickLang } from './guide-texts.js';
import { GuideService } from './guide.service.js';
import { wantsJson } from './media-type.js';

/** The integration guide of a consent resource: public, like reading the resource itself (DESIGN §10). */
@ApiTags('integration guide')
@Controller('guide')
@Public()
export class GuideController {
  constructor(
    private readonly guides: GuideService,
    private readonly views: GuideViews,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get(':resource')
  @ApiOperation({
    summary: 'Integration guide for one consent resource (HTML or JSON)',
    description:
      'JSON when `Accept` prefers `application/json` (or `?format=json`), otherwise an HTML page. ' +
      'Language: `?lang=nb|en`, else `Accept-Language`, else nb. Generated from the registry on every request.',
  })
  @ApiParam({ name: 'resource', example: 'skd-inntekt' })
  @ApiQuery({ name: 'lang', required: false, enum: ['nb', 'en'] })
  @ApiQuery({ name: 'format', required: false, enum: ['json', 'html'] })
  @ApiProduces('application/json', 'text/html')
  @ApiOkResponse({ type: GuideDto })
  @ApiNotFoundResponse({
    description: 'GUIDE-00001: no such consent resource (problem+json, or an HTML page).',
  })
  async guide(
    @Param('resource') resource: string,
    @Query('lang') langParam: unknown,
    @Query('format') format: unknown,
    @Headers('accept') accept: string | undefined,
    @Headers('accept-language') acceptLanguage: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<GuideDto | string> {
    const lang = pickLang(langParam, acceptLanguage);
    const json = format === 'json' || (format !== 'html' && wantsJson(accept));
    void reply.header('vary', 'Accept, Accept-Language').header('cache-control', 'public, max-age=60');
    try {
      const { guide, view } = await this.guides.build(resource, lang);
      if (json) return guide;
      void reply
        .header('content-type', 'text/html; charset=utf-8')
        .header('content-security-policy', GUIDE_CSP);
      return this.views.guidePage({
        guide,
        view,
        lang,
        path: `/guide/${encodeURIComponent(guide.resource)}`,
        publicUrl: this.config.publicUrl,
      });
    } catch (err) {
      if (json || !(err instanceof DomainError) || err.status !== 404) throw err;
      void reply
        .status(404)
        .header('content-type', 'text/html; charset=utf-8')
        .header('content-security-policy', GUIDE_CSP);
      return this.views.notFoundPage(lang);
    }
  }
}
