import type { AppConfig } from '../config/app-config.js';
import type { LockRecord } from '../prisma/data-dir-lock.js';
import type { RecordedIssuer } from '../tokens/issuer-record.service.js';

export interface IssuerChoice {
  /** The built-in issuer URL the token carries as `iss`, always with its trailing slash. */
  issuer: string;
  /** Where it came from, told on stderr so a mismatch is never a mystery. */
  source: string;
}

/** The built-in issuer is `${PUBLIC_URL}/`: one form, whatever the operator typed. */
export function normaliseIssuer(raw: string): string {
  const u = new URL(raw);
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('must be an http(s) URL');
  return `${raw.replace(/\/+$/, '')}/`;
}

/**
 * Which issuer `npm run token` signs as — the one the server that will verify the token uses:
 * `--issuer` wins; then the server that is running on DATA_DIR (its lock record says); then a
 * server asked over HTTP (`--server`, its RFC 8414 metadata); then the issuer the server started
 * last on this database recorded (`server_issuers`, PostgreSQL or embedded); last
 * PUBLIC_URL/PORT, as a server would compute it from the same environment.
 */
export async function chooseIssuer(
  args: { issuer?: string; server?: string },
  running: LockRecord | undefined,
  config: AppConfig,
  /** What servers recorded in the database, the one started last first. */
  recorded: RecordedIssuer[] = [],
  fetchMetadata: (url: string) => Promise<unknown> = fetchJson,
): Promise<IssuerChoice> {
  if (args.issuer) return { issuer: normaliseIssuer(args.issuer), source: '--issuer' };
  if (running?.issuer)
    return {
      issuer: normaliseIssuer(running.issuer),
      source: `the server running on DATA_DIR (PID ${running.pid}, port ${running.port ?? '?'})`,
    };
  if (args.server) {
    const base = args.server.replace(/\/+$/, '');
    const meta = (await fetchMetadata(`${base}/.well-known/oauth-authorization-server`)) as {
      issuer?: unknown;
    };
    if (typeof meta?.issuer !== 'string') throw new Error(`${base} did not say its issuer`);
    return { issuer: normaliseIssuer(meta.issuer), source: `--server ${base}` };
  }
  const [last, ...before] = recorded;
  if (last) {
    const others = [...new Set(before.map((r) => r.issuer).filter((i) => i !== last.issuer))];
    return {
      issuer: normaliseIssuer(last.issuer),
      source:
        `the database: the server started last, at ${last.startedAt.toISOString()} on ${last.host} (PID ${last.pid})` +
        (others.length
          ? `; other issuers recorded earlier: ${others.join(', ')} (use --issuer for those)`
          : ''),
    };
  }
  return {
    issuer: `${config.publicUrl}/`,
    source:
      'PUBLIC_URL/PORT of this environment (no server has started on this database yet; use --issuer or --server to match another)',
  };
}

async function fetchJson(url: string): Promise<unknown> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
  if (!res.ok) throw new Error(`${url} answered ${res.status}`);
  return res.json();
}
