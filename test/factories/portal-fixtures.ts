/**
 * Portal fixtures over real HTTP: a tiny cookie-keeping "browser" for plain HTML forms (GET a
 * page, read its `_csrf`, POST urlencoded fields, no redirects followed), the development login,
 * and org roles through the admin API.
 */
import type { TestApp } from '../helpers/app.js';
import { bearer } from '../helpers/tokens.js';
import { ADMIN_ORG } from './registry.js';

export interface PageResult {
  status: number;
  headers: Headers;
  body: string;
  location: string | null;
}

/** Cookies by name, from `Set-Cookie` (expired / cleared cookies removed). */
export class CookieJar {
  readonly cookies = new Map<string, string>();

  take(headers: Headers): void {
    for (const line of headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const at = pair.indexOf('=');
      const name = pair.slice(0, at).trim();
      const value = pair.slice(at + 1).trim();
      const expired = attrs.some(
        (a) => /^\s*max-age=0\s*$/i.test(a) || /^\s*expires=thu, 01 jan 1970/i.test(a),
      );
      if (expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

export class FormClient {
  readonly jar = new CookieJar();

  constructor(readonly base: string) {}

  async get(path: string, headers: Record<string, string> = {}): Promise<PageResult> {
    return this.send('GET', path, undefined, headers);
  }

  /** POSTs urlencoded fields (the way a browser submits a form; an array repeats the field). */
  async post(
    path: string,
    fields: Record<string, string | string[] | undefined>,
    headers: Record<string, string> = {},
  ): Promise<PageResult> {
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries(fields))
      for (const item of v === undefined ? [] : Array.isArray(v) ? v : [v]) body.append(k, item);
    return this.send('POST', path, body.toString(), {
      'content-type': 'application/x-www-form-urlencoded',
      ...headers,
    });
  }

  private async send(
    method: string,
    path: string,
    body: string | undefined,
    headers: Record<string, string>,
  ): Promise<PageResult> {
    const cookie = this.jar.header();
    const res = await fetch(path.startsWith('http') ? path : `${this.base}${path}`, {
      method,
      redirect: 'manual',
      headers: { ...(cookie ? { cookie } : {}), ...headers },
      body,
    });
    this.jar.take(res.headers);
    return {
      status: res.status,
      headers: res.headers,
      body: await res.text(),
      location: res.headers.get('location'),
    };
  }
}

/** The `_csrf` hidden field of the first form on the page. */
export function csrfOf(html: string): string {
  const m = /name="_csrf" value="([^"]*)"/.exec(html);
  if (!m) throw new Error('no _csrf field on the page');
  return m[1];
}

/** Logs in through the development form; returns a client holding the session cookie. */
export async function devLogin(t: TestApp, pid: string): Promise<FormClient> {
  const c = new FormClient(t.url);
  const form = await c.get('/login');
  if (form.status !== 200) throw new Error(`GET /login: ${form.status}`);
  const res = await c.post('/login', { pid, _csrf: csrfOf(form.body), returnTo: '/consent/active' });
  if (res.status !== 303) throw new Error(`POST /login: ${res.status} ${res.body.slice(0, 300)}`);
  return c;
}

/** Gives the person roles for the organisation (`PUT /admin/v1/organizations/{org}/roles/{pid}`). */
export async function grantOrgRoles(
  t: TestApp,
  orgNumber: string,
  personId: string,
  roles: string[],
): Promise<void> {
  const res = await fetch(`${t.url}/admin/v1/organizations/${orgNumber}/roles/${personId}`, {
    method: 'PUT',
    headers: {
      authorization: await bearer(t, { org: ADMIN_ORG, scope: 'consentgw:admin' }),
      'content-type': 'application/json',
    },
    body: JSON.stringify({ roles }),
  });
  if (res.status !== 200 && res.status !== 201)
    throw new Error(`grantOrgRoles: ${res.status} ${await res.text()}`);
}

/** Visible text of an HTML fragment (tags dropped, entities of the five escaped characters decoded). */
export function textOf(html: string): string {
  return html
    .replace(/<[^>]*>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}
