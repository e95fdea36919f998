/**
 * `GET|POST /authorize` (issue 20): the OAuth2 authorization endpoint of the built-in issuer,
 * for people who administer an organisation (Swagger UI's Authorize button, other registered
 * public clients). Authorization code + PKCE S256 only.
 *
 * The user step is the portal login (development form, or OIDC in production): without a
 * logged-in portal session the browser goes to `/login` and comes back here. Then the person
 * chooses, on a CSRF-protected form, one of the organisations they hold an administrator role
 * for (ADMIN_LOGIN_ROLES, default HADM and ADMAI) in the org-roles register; the choice is
 * checked again on POST (never trusted from the form) and a 60-second single-use code goes to
 * the client's registered redirect URI with the client's `state` and our `iss` (RFC 9207).
 */
import { Controller, Get, Inject, Post, Req, Res } from '@nestjs/common';
import {
  ApiConsumes,
  ApiExcludeEndpoint,
  ApiOperation,
  ApiProduces,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../common/auth/auth.decorators.js';
import { isValidOrgNumber } from '../common/identifiers/org-number.js';
import { isLang, type Lang } from '../common/i18n/languages.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { OrganizationNamesService } from '../owners/organization-names.service.js';
import { OwnersService } from '../owners/owners.service.js';
import { PortalSessionsService, type PortalSession } from '../portal/portal-sessions.service.js';
import { AuthorizationCodesService } from '../tokens/authorization-codes.service.js';
import { AdminLoginPages, formatOrgNumber, formatPersonNumber, seeOther } from './admin-login-pages.js';
import { ADMIN_TEXTS } from './admin-login-texts.js';
import {
  clientRedirect,
  paramsFromForm,
  paramsFromQuery,
  parseAuthorizationRequest,
  REQUEST_FIELDS,
  type AuthorizationRequest,
  type RawParams,
} from './authorization-request.js';

function langOf(params: RawParams): Lang {
  const v = params.get('lang')?.[0] ?? params.get('ui_locales')?.[0]?.split(' ')[0];
  return isLang(v) ? v : 'nb';
}

function originOf(uri: string): string | undefined {
  const origin = new URL(uri).origin;
  return /^https?:\/\/[A-Za-z0-9.:[\]-]+$/.test(origin) ? origin : undefined;
}

@ApiTags('token issuer')
@Public()
@Controller('authorize')
export class AuthorizeController {
  constructor(
    private readonly sessions: PortalSessionsService,
    private readonly owners: OwnersService,
    private readonly names: OrganizationNamesService,
    private readonly codes: AuthorizationCodesService,
    private readonly pages: AdminLoginPages,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'OAuth2 authorization endpoint for administrators (authorization code + PKCE S256; HTML)',
    description:
      '`response_type=code`, `client_id` and exact `redirect_uri` of a registered public client (Swagger UI: ' +
      '`swagger-ui`), `state`, `code_challenge` + `code_challenge_method=S256`, optional `scope`. Not logged in → ' +
      '303 to `/login`; then a page to choose the organisation to act for.',
  })
  @ApiProduces('text/html')
  @ApiResponse({ status: 200, description: 'The organisation choice' })
  @ApiResponse({ status: 303, description: 'To `/login`, or back to the client with `error` and `state`' })
  @ApiResponse({
    status: 400,
    description: 'Unknown client or redirect URI: an error page, never a redirect',
  })
  @ApiResponse({ status: 403, description: 'The person administers no organisation' })
  async start(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const at = req.url.indexOf('?');
    const params = paramsFromQuery(at === -1 ? '' : req.url.slice(at + 1));
    const lang = langOf(params);
    const request = this.checked(params, lang, reply);
    if (!request) return;
    const session = await this.sessions.read(req);
    if (!session?.personId) return seeOther(reply, this.loginHref(request, lang));
    const orgs = await this.administered(session.personId);
    if (orgs.length === 0)
      return this.pages.message(reply, 403, 'noRole', lang, { user: formatPersonNumber(session.personId) });
    await this.renderChoice(reply, session, request, orgs, lang);
  }

  @Post()
  @ApiExcludeEndpoint()
  @ApiConsumes('application/x-www-form-urlencoded')
  async decide(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const params = paramsFromForm(req.body);
    const lang = langOf(params);
    const request = this.checked(params, lang, reply);
    if (!request) return;
    const session = await this.sessions.read(req);
    if (!session?.personId) return seeOther(reply, this.loginHref(request, lang));
    const csrf = params.get('_csrf');
    if (!csrf || csrf.length !== 1 || !this.sessions.csrfValid(session, csrf[0]))
      return this.pages.message(reply, 403, 'csrf', lang, { loginHref: this.loginHref(request, lang) });

    const decision = params.get('decision')?.[0];
    if (decision === 'deny')
      return seeOther(
        reply,
        clientRedirect(request.redirectUri, {
          error: 'access_denied',
          error_description: 'The person cancelled the login.',
          state: request.state,
          iss: `${this.config.publicUrl}/`,
        }),
      );

    const org = params.get('org');
    const user = formatPersonNumber(session.personId);
    // The choice is checked against the register now, whatever the form says.
    if (!org || org.length !== 1 || !isValidOrgNumber(org[0]))
      return this.pages.message(reply, 403, 'notAdmin', lang, { user });
    if (!(await this.administered(session.personId)).includes(org[0]))
      return this.pages.message(reply, 403, 'notAdmin', lang, { user });

    const code = await this.codes.issue({
      clientId: request.clientId,
      redirectUri: request.redirectUri,
      codeChallenge: request.codeChallenge,
      personId: session.personId,
      orgNumber: org[0],
      scope: request.scope,
    });
    seeOther(
      reply,
      clientRedirect(request.redirectUri, { code, state: request.state, iss: `${this.config.publicUrl}/` }),
    );
  }

  /** The validated request, or null when the answer (error page or error redirect) is sent. */
  private checked(params: RawParams, lang: Lang, reply: FastifyReply): AuthorizationRequest | null {
    const parsed = parseAuthorizationRequest(params, (id) => this.codes.client(id));
    if (parsed.kind === 'ok') return parsed.request;
    if (parsed.kind === 'bad-client') this.pages.message(reply, 400, 'badLink', lang);
    else
      seeOther(
        reply,
        clientRedirect(parsed.redirectUri, {
          error: parsed.error,
          error_description: parsed.description,
          state: parsed.state,
          iss: `${this.config.publicUrl}/`,
        }),
      );
    return null;
  }

  private administered(personId: string): Promise<string[]> {
    return this.owners.orgsWithAnyRole(personId, this.config.adminLogin.roles);
  }

  /** `/login?returnTo=/authorize?…`: the portal login brings the person back to this request. */
  private loginHref(request: AuthorizationRequest, lang: Lang): string {
    const back = new URLSearchParams({
      response_type: 'code',
      client_id: request.clientId,
      redirect_uri: request.redirectUri,
      state: request.state,
      code_challenge: request.codeChallenge,
      code_challenge_method: 'S256',
      ...(request.scope ? { scope: request.scope } : {}),
      lang,
    });
    return `/login?${new URLSearchParams({ returnTo: `/authorize?${back.toString()}`, lang }).toString()}`;
  }

  private async renderChoice(
    reply: FastifyReply,
    session: PortalSession,
    request: AuthorizationRequest,
    orgs: string[],
    lang: Lang,
  ): Promise<void> {
    const names = await this.names.namesOf(orgs, lang);
    const values: Record<(typeof REQUEST_FIELDS)[number], string | null> = {
      response_type: 'code',
      client_id: request.clientId,
      redirect_uri: request.redirectUri,
      state: request.state,
      scope: request.scope,
      code_challenge: request.codeChallenge,
      code_challenge_method: 'S256',
    };
    this.pages.send(
      reply,
      200,
      'choose.njk',
      lang,
      {
        heading: ADMIN_TEXTS.in(lang).chooseTitle,
        user: formatPersonNumber(session.personId!),
        csrf: session.csrfToken,
        fields: REQUEST_FIELDS.filter((f) => values[f] !== null).map((name) => ({
          name,
          value: values[name],
        })),
        orgs: orgs.map((n) => ({
          orgNumber: n,
          name: names.get(n) ?? formatOrgNumber(n),
          formatted: formatOrgNumber(n),
        })),
      },
      originOf(request.redirectUri),
    );
  }
}
