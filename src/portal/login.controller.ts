/**
 * Portal login (DESIGN §4.8, §10): OpenID Connect when configured (`/login/oidc` →
 * `/login/callback`), and in development and test a plain form at `/login` taking a national
 * identity number. The form is refused in production: a 404 page, or a hand-over to OIDC when
 * that is configured. Every POST carries `_csrf`; before login it is bound to the pre-session.
 */
import { Controller, Get, Inject, Logger, Post, Req, Res, UseFilters } from '@nestjs/common';
import {
  ApiBody,
  ApiConsumes,
  ApiOperation,
  ApiProduces,
  ApiQuery,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../common/auth/auth.decorators.js';
import { isValidPersonNumber } from '../common/identifiers/person-number.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { LoginFormDto, PortalActionFormDto } from './dto/portal-forms.dto.js';
import { OidcLoginError, OidcLoginService } from './oidc-login.service.js';
import { form, keepOpenerFor, query, seeOther } from './portal-http.js';
import { LANGS, type Lang } from '../common/i18n/languages.js';
import { parseLang, UI } from './portal-i18n.js';
import { PortalErrorFilter } from './portal-error.filter.js';
import { PortalPagesService } from './portal-pages.service.js';
import { OIDC_PENDING_MS, PortalSessionsService, type PortalSession } from './portal-sessions.service.js';
import { safeReturnTo } from './portal-urls.js';
import { TEST_PERSON_NUMBERS } from './portal-chrome-i18n.js';

@ApiTags('portal (HTML)')
@Public()
@UseFilters(PortalErrorFilter)
@Controller()
export class LoginController {
  private readonly logger = new Logger('PortalLogin');

  constructor(
    private readonly sessions: PortalSessionsService,
    private readonly oidc: OidcLoginService,
    private readonly pages: PortalPagesService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The development form never exists in production, whatever else is configured. */
  private get devLogin(): boolean {
    return this.config.nodeEnv !== 'production';
  }

  private oidcHref(returnTo: string, lang: Lang): string {
    return `/login/oidc?${new URLSearchParams({ returnTo, lang }).toString()}`;
  }

  private loginPage(returnTo: string, lang: Lang): string {
    return `/login?${new URLSearchParams({ returnTo, lang }).toString()}`;
  }

  @Get('login')
  @ApiOperation({
    summary: 'Login page (HTML): ID-porten button and, outside production, the development form',
  })
  @ApiQuery({ name: 'returnTo', required: false, description: 'Same-site path to return to after login' })
  @ApiQuery({ name: 'lang', required: false, enum: [...LANGS] })
  @ApiProduces('text/html')
  @ApiResponse({
    status: 200,
    description: 'The login page (sets the pre-session cookie the form’s `_csrf` is bound to)',
  })
  @ApiResponse({ status: 303, description: 'Production with OIDC: straight to `/login/oidc`' })
  @ApiResponse({ status: 404, description: 'Production without OIDC: no login here' })
  async loginForm(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const lang = parseLang(query(req, 'lang'));
    const returnTo = safeReturnTo(query(req, 'returnTo'));
    keepOpenerFor(reply, returnTo);
    if (!this.devLogin) {
      if (this.oidc.enabled) return seeOther(reply, this.oidcHref(returnTo, lang));
      return this.pages.error(reply, 404, 'loginUnavailable', { lang, session: null, switchTo: req.url });
    }
    const session = await this.sessions.ensure(req, reply);
    this.renderForm(reply, 200, session, lang, returnTo);
  }

  private renderForm(
    reply: FastifyReply,
    status: number,
    session: PortalSession,
    lang: Lang,
    returnTo: string,
    error?: { message: string; pid: string },
  ): void {
    this.pages.send(
      reply,
      status,
      'login.njk',
      { lang, session, switchTo: this.loginPage(returnTo, lang), title: UI.in(lang).loginTitle },
      {
        devLogin: true,
        testPersons: TEST_PERSON_NUMBERS,
        oidcHref: this.oidc.enabled ? this.oidcHref(returnTo, lang) : null,
        returnTo,
        error: error?.message ?? null,
        pid: error?.pid ?? '',
      },
    );
  }

  @Post('login')
  @ApiOperation({
    summary: 'Development login (HTML form; refused in production): 303 to `returnTo` with a session cookie',
  })
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiBody({ type: LoginFormDto })
  @ApiResponse({
    status: 303,
    description: 'Logged in: to `returnTo` (same-site paths only), new session cookie',
  })
  @ApiResponse({
    status: 400,
    description: 'Not a valid national identity number: the form again, with the error',
  })
  @ApiResponse({ status: 403, description: 'Missing or wrong `_csrf`' })
  @ApiResponse({ status: 404, description: 'Production: the development form does not exist' })
  async login(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const lang = parseLang(form(req, 'lang'));
    const returnTo = safeReturnTo(form(req, 'returnTo'));
    keepOpenerFor(reply, returnTo);
    const page = { lang, switchTo: this.loginPage(returnTo, lang) };
    if (!this.devLogin) return this.pages.error(reply, 404, 'loginUnavailable', { ...page, session: null });
    const session = await this.sessions.read(req);
    if (!session || !this.sessions.csrfValid(session, form(req, '_csrf')))
      return this.pages.error(
        reply,
        403,
        'csrf',
        { ...page, session: null },
        { loginHref: this.loginPage(returnTo, lang) },
      );

    const raw = form(req, 'pid') ?? '';
    const pid = raw.replace(/\s+/g, '');
    if (!isValidPersonNumber(pid))
      return this.renderForm(reply, 400, session, lang, returnTo, {
        message: UI.in(lang).pidInvalid,
        pid: raw.slice(0, 20),
      });

    await this.sessions.login(reply, pid, session);
    seeOther(reply, returnTo);
  }

  @Post('logout')
  @ApiOperation({ summary: 'Log out (HTML form): ends the session, 303 to `/login`' })
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiBody({ type: PortalActionFormDto })
  @ApiResponse({ status: 303, description: 'Logged out' })
  @ApiResponse({ status: 403, description: 'Missing or wrong `_csrf`' })
  async logout(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const lang = parseLang(form(req, 'lang'));
    const session = await this.sessions.read(req);
    if (!this.sessions.csrfValid(session, form(req, '_csrf')))
      return this.pages.error(reply, 403, 'csrf', { lang, session, switchTo: '/consent/active' });
    await this.sessions.logout(reply, session);
    seeOther(reply, `/login?lang=${lang}`);
  }

  @Get('login/oidc')
  @ApiOperation({ summary: 'Starts OpenID Connect login (authorization code + PKCE, state, nonce)' })
  @ApiQuery({ name: 'returnTo', required: false })
  @ApiQuery({ name: 'lang', required: false, enum: [...LANGS] })
  @ApiResponse({ status: 303, description: 'To the identity provider' })
  @ApiResponse({ status: 404, description: 'OIDC is not configured' })
  async startOidc(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const lang = parseLang(query(req, 'lang'));
    const returnTo = safeReturnTo(query(req, 'returnTo'));
    keepOpenerFor(reply, returnTo);
    if (!this.oidc.enabled)
      return this.pages.error(reply, 404, 'loginUnavailable', { lang, session: null, switchTo: req.url });
    // The pre-session first: the pending login is bound to this browser's cookie.
    const session = await this.sessions.ensure(req, reply);
    let started: Awaited<ReturnType<OidcLoginService['start']>>;
    try {
      started = await this.oidc.start(returnTo, lang);
    } catch (err) {
      this.logger.warn({ err }, 'OIDC login could not start');
      return this.pages.error(reply, 503, 'loginFailed', { lang, session: null, switchTo: req.url });
    }
    await this.sessions.setOidc(session, started.pending);
    seeOther(reply, started.url);
  }

  @Get('login/callback')
  @ApiOperation({ summary: 'OpenID Connect redirect URI: finishes login, 303 to `returnTo`' })
  @ApiResponse({ status: 303, description: 'Logged in: to the page the login started from' })
  @ApiResponse({
    status: 400,
    description: 'Login failed (error from the provider, wrong state, bad token, no `pid`)',
  })
  async oidcCallback(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    let lang = parseLang(query(req, 'lang'));
    if (!this.oidc.enabled)
      return this.pages.error(reply, 404, 'loginUnavailable', { lang, session: null, switchTo: '/login' });
    const session = await this.sessions.read(req);
    const pending = session ? await this.sessions.takeOidc(session) : null;
    if (pending) lang = parseLang(pending.lang);
    const failed = () =>
      this.pages.error(
        reply,
        400,
        'loginFailed',
        { lang, session: null, switchTo: '/login' },
        {
          loginHref: this.loginPage(pending?.returnTo ?? '/consent/active', lang),
        },
      );
    if (!session || !pending || Date.now() - pending.startedAt > OIDC_PENDING_MS) return failed();

    const queryAt = req.url.indexOf('?');
    let pid: string;
    try {
      pid = await this.oidc.finish(queryAt === -1 ? '' : req.url.slice(queryAt), pending);
    } catch (err) {
      if (!(err instanceof OidcLoginError)) throw err;
      this.logger.warn({ err }, 'OIDC login failed');
      return failed();
    }
    await this.sessions.login(reply, pid, session);
    keepOpenerFor(reply, safeReturnTo(pending.returnTo));
    seeOther(reply, safeReturnTo(pending.returnTo));
  }
}
