/**
 * Portal sessions (DESIGN §4.8, §10 "Portal forms").
 *
 * - The cookie holds 32 random bytes; the database keeps only their sha256, so a leaked table
 *   (or log) cannot be replayed as a cookie.
 * - One row per browser, also before login ("pre-session", `person_id` null): it carries the CSRF
 *   token for the login form and the pending OIDC state, so CSRF and the OIDC round trip are
 *   bound to this browser.
 * - Logging in replaces the row and the cookie (no session fixation) and issues a new CSRF token.
 * - Sessions expire: idle expiry (`sessionTtlSeconds`, extended on use) and an absolute cap.
 * - Cookie: `HttpOnly`, `SameSite=Lax` (the consumer's top-level link and the IdP's redirect
 *   back still carry it; cross-site POSTs do not), `Secure` in production, host-only, path `/`.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { Prisma, type PortalSession as PortalSessionRow } from '../generated/prisma/client.js';
import { PrismaService } from '../prisma/prisma.service.js';

/** Pending OpenID Connect login, kept in the pre-session until the callback. */
export interface PendingOidcLogin {
  state: string;
  nonce: string;
  codeVerifier: string;
  returnTo: string;
  lang: string;
  /** Epoch ms; a callback after OIDC_PENDING_MS is refused. */
  startedAt: number;
}

export interface PortalSession {
  /** sha256 (hex) of the cookie value. */
  id: string;
  /** 11-digit person number once logged in; null for a pre-session. */
  personId: string | null;
  csrfToken: string;
  oidc: PendingOidcLogin | null;
  createdAt: Date;
  expiresAt: Date;
}

/** No session outlives this, however active (an unattended browser logs out eventually). */
const ABSOLUTE_MAX_MS = 12 * 3600 * 1000;
/** Delete expired rows at most this often (on session creation). */
const PURGE_INTERVAL_MS = 60_000;
export const OIDC_PENDING_MS = 10 * 60 * 1000;

function sha256(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

function toSession(row: PortalSessionRow): PortalSession {
  return {
    id: row.id,
    personId: row.personId,
    csrfToken: row.csrfToken,
    oidc: (row.oidc as unknown as PendingOidcLogin | null) ?? null,
    createdAt: row.createdAt,
    expiresAt: row.expiresAt,
  };
}

@Injectable()
export class PortalSessionsService {
  private readonly logger = new Logger(PortalSessionsService.name);
  private lastPurge = 0;
  readonly cookieName: string;
  private readonly secure: boolean;

  constructor(
    private readonly prisma: PrismaService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.secure = config.nodeEnv === 'production';
    // `__Host-` makes the browser insist on Secure, path=/ and no Domain: only where Secure is on.
    this.cookieName = this.secure ? '__Host-consentgw_session' : 'consentgw_session';
  }

  /** The live session for this request's cookie, or null (no cookie, unknown, expired). */
  async read(req: FastifyRequest): Promise<PortalSession | null> {
    const raw = req.cookies?.[this.cookieName];
    if (typeof raw !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(raw)) return null;
    const row = await this.prisma.portalSession.findUnique({ where: { id: sha256(raw) } });
    if (!row) return null;
    const now = Date.now();
    if (row.expiresAt.getTime() <= now || row.createdAt.getTime() + ABSOLUTE_MAX_MS <= now) return null;
    // Sliding idle expiry, written at most once per half TTL per session.
    const ttlMs = this.config.sessionTtlSeconds * 1000;
    if (row.expiresAt.getTime() - now < ttlMs / 2) {
      const expiresAt = new Date(Math.min(now + ttlMs, row.createdAt.getTime() + ABSOLUTE_MAX_MS));
      await this.prisma.portalSession.updateMany({ where: { id: row.id }, data: { expiresAt } });
      return toSession({ ...row, expiresAt });
    }
    return toSession(row);
  }

  /** The live session, or a new pre-session (with its cookie set on the reply). */
  async ensure(req: FastifyRequest, reply: FastifyReply): Promise<PortalSession> {
    return (await this.read(req)) ?? this.create(reply, null);
  }

  /**
   * Logs the person in: the current row (pre-session or another person's session) is deleted
   * and a fresh session with a fresh cookie value and CSRF token takes its place.
   */
  async login(reply: FastifyReply, personId: string, previous: PortalSession | null): Promise<PortalSession> {
    if (previous) await this.prisma.portalSession.deleteMany({ where: { id: previous.id } });
    return this.create(reply, personId);
  }

  async logout(reply: FastifyReply, session: PortalSession | null): Promise<void> {
    if (session) await this.prisma.portalSession.deleteMany({ where: { id: session.id } });
    void reply.clearCookie(this.cookieName, this.cookieOptions());
  }

  async setOidc(session: PortalSession, oidc: PendingOidcLogin | null): Promise<void> {
    await this.prisma.portalSession.updateMany({
      where: { id: session.id },
      data: { oidc: oidc === null ? Prisma.DbNull : (oidc as unknown as Prisma.InputJsonValue) },
    });
  }

  /**
   * Takes the pending OIDC login out of the session (one use only: a replayed callback finds
   * nothing). Conditional on the stored state, so two racing callbacks cannot both win.
   */
  async takeOidc(session: PortalSession): Promise<PendingOidcLogin | null> {
    const pending = session.oidc;
    if (!pending) return null;
    const { count } = await this.prisma.portalSession.updateMany({
      where: { id: session.id, oidc: { path: ['state'], equals: pending.state } },
      data: { oidc: Prisma.DbNull },
    });
    return count === 1 ? pending : null;
  }

  /** Constant-time comparison of the submitted `_csrf` with the session's token. */
  csrfValid(session: PortalSession | null, submitted: unknown): boolean {
    if (!session || typeof submitted !== 'string' || submitted.length === 0) return false;
    const a = Buffer.from(session.csrfToken);
    const b = Buffer.from(submitted);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  private async create(reply: FastifyReply, personId: string | null): Promise<PortalSession> {
    await this.purgeExpired();
    const raw = randomBytes(32).toString('base64url');
    const now = Date.now();
    const row = await this.prisma.portalSession.create({
      data: {
        id: sha256(raw),
        personId,
        csrfToken: randomBytes(32).toString('base64url'),
        createdAt: new Date(now),
        expiresAt: new Date(now + this.config.sessionTtlSeconds * 1000),
      },
    });
    void reply.setCookie(this.cookieName, raw, this.cookieOptions());
    return toSession(row);
  }

  private cookieOptions() {
    return { path: '/', httpOnly: true, sameSite: 'lax' as const, secure: this.secure };
  }

  private async purgeExpired(): Promise<void> {
    const now = Date.now();
    if (now - this.lastPurge < PURGE_INTERVAL_MS) return;
    this.lastPurge = now;
    try {
      await this.prisma.portalSession.deleteMany({ where: { expiresAt: { lt: new Date(now) } } });
    } catch (err) {
      // Housekeeping only: a failure here must not fail the visitor's request.
      this.logger.warn({ err }, 'purging expired portal sessions failed');
    }
  }
}
