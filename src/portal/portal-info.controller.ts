/**
 * The pages every Norwegian public web service publishes (issue 21): contact, privacy statement
 * and accessibility statement (the latter required by the regulation on universal design of
 * ICT). Public, no login. The operator may point the footer at its own statements instead
 * (`PORTAL_PRIVACY_URL`, `PORTAL_ACCESSIBILITY_URL`); these built-in ones name the operator.
 */
import { Controller, Get, Req, Res, UseFilters } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../common/auth/auth.decorators.js';
import { LANGS, type Lang } from '../common/i18n/languages.js';
import { CHROME, fill } from './portal-chrome-i18n.js';
import { query } from './portal-http.js';
import { parseLang } from './portal-i18n.js';
import { PortalErrorFilter } from './portal-error.filter.js';
import { PortalPagesService } from './portal-pages.service.js';
import { PortalSessionsService } from './portal-sessions.service.js';

type Statement = 'contact' | 'privacy' | 'accessibility';

@ApiTags('portal (HTML)')
@Public()
@UseFilters(PortalErrorFilter)
@Controller('consent')
export class PortalInfoController {
  constructor(
    private readonly pages: PortalPagesService,
    private readonly sessions: PortalSessionsService,
  ) {}

  @Get('contact')
  @ApiOperation({ summary: 'Contact page (HTML): who runs the service and how to reach them' })
  @ApiQuery({ name: 'lang', required: false, enum: [...LANGS] })
  @ApiProduces('text/html')
  @ApiResponse({ status: 200, description: 'The contact page' })
  contact(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.statement(req, reply, 'contact');
  }

  @Get('privacy')
  @ApiOperation({ summary: 'Privacy statement (HTML)' })
  @ApiQuery({ name: 'lang', required: false, enum: [...LANGS] })
  @ApiProduces('text/html')
  @ApiResponse({ status: 200, description: 'The built-in privacy statement, naming the operator' })
  privacy(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.statement(req, reply, 'privacy');
  }

  @Get('accessibility')
  @ApiOperation({ summary: 'Accessibility statement (HTML)' })
  @ApiQuery({ name: 'lang', required: false, enum: [...LANGS] })
  @ApiProduces('text/html')
  @ApiResponse({ status: 200, description: 'The built-in accessibility statement' })
  accessibility(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.statement(req, reply, 'accessibility');
  }

  private async statement(req: FastifyRequest, reply: FastifyReply, which: Statement): Promise<void> {
    const lang: Lang = parseLang(query(req, 'lang'));
    const session = await this.sessions.read(req);
    const c = CHROME.in(lang);
    const operator = this.pages.operator(lang).inText;
    const texts: Record<Statement, { heading: string; paragraphs: string[] }> = {
      contact: { heading: c.contact, paragraphs: [fill(c.contactText, { operator }), c.contactFallback] },
      privacy: { heading: c.privacy, paragraphs: fill(c.privacyText, { operator }).split('\n\n') },
      accessibility: { heading: c.accessibility, paragraphs: c.accessibilityText.split('\n\n') },
    };
    const { heading, paragraphs } = texts[which];
    // The operator's name may start a sentence ("{operator} er behandlingsansvarlig …").
    const sentences = paragraphs.map((p) => p.charAt(0).toUpperCase() + p.slice(1));
    this.pages.send(
      reply,
      200,
      'statement.njk',
      { lang, session, title: heading, switchTo: req.url },
      { heading, paragraphs: sentences, contact: which === 'contact' },
    );
  }
}
