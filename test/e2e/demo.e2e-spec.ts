/**
 * `npm run demo` (src/cli/demo.ts) as a user runs it: the built command, its printed steps
 * followed literally — the consent page (through the development login, as a browser would) and
 * then the printed curl, which must reach the sample upstream with the verified consent.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { freePort } from '../helpers/app.js';
import { ensureBuilt, serviceEnv, spawnNode, waitFor } from '../helpers/processes.js';

const run = promisify(execFile);

/** A tiny cookie-keeping browser for the portal's HTML forms. */
class Browser {
  private cookies = new Map<string, string>();

  async request(
    url: string,
    form?: Record<string, string>,
  ): Promise<{ status: number; location: string | null; html: string }> {
    const res = await fetch(url, {
      method: form ? 'POST' : 'GET',
      redirect: 'manual',
      headers: {
        cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      body: form ? new URLSearchParams(form).toString() : undefined,
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const eq = pair.indexOf('=');
      this.cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
    return { status: res.status, location: res.headers.get('location'), html: await res.text() };
  }
}

const csrf = (html: string) => /name="_csrf" value="([^"]*)"/.exec(html)?.[1] ?? '';

describe('npm run demo', () => {
  beforeAll(() => ensureBuilt(), 300_000);

  it('prints the steps of the whole flow, and following them ends in a 200 from the sample upstream', async () => {
    const port = await freePort();
    const demo = spawnNode('dist/cli/demo.js', [], serviceEnv({ PORT: String(port) }));
    try {
      const out = await waitFor(
        'the printed steps',
        () => (demo.stdout().includes('3. The person revokes') ? demo.stdout() : undefined),
        120_000,
      );
      const base = `http://localhost:${port}`;
      expect(out).toContain(`Swagger UI        ${base}/docs`);
      const viewUri = /^\s+(http:\/\/\S+\/consent\/request\?id=(\S+))$/m.exec(out);
      const curl = /^\s+(curl -sS .*)$/m.exec(out)?.[1];
      const dir = /data and the bank's key in (\S+),/.exec(out)?.[1];
      expect(viewUri && curl && dir).toBeTruthy();
      expect(existsSync(`${dir}/bank-key.pem`)).toBe(true);

      // Before the person has consented the printed curl gets no token.
      await expect(run('bash', ['-c', `set -o pipefail; ${curl!} --fail`])).rejects.toThrow();

      // Step 1, as the browser does it: log in as the test person, accept.
      const b = new Browser();
      const id = viewUri![2];
      const returnTo = `/consent/request?id=${id}`;
      const login = await b.request(`${base}/login?returnTo=${encodeURIComponent(returnTo)}`);
      const loggedIn = await b.request(`${base}/login`, {
        pid: '02013299997',
        _csrf: csrf(login.html),
        returnTo,
      });
      expect(loggedIn.status).toBe(303);
      const page = await b.request(viewUri![1]);
      expect(page.html).toContain('2024');
      const accepted = await b.request(`${base}/consent/request/${id}/accept`, { _csrf: csrf(page.html) });
      expect(accepted.status).toBe(303);
      expect(accepted.location).toContain('Status=OK');

      // Step 2: the printed curl, exactly as printed.
      const { stdout } = await run('bash', ['-c', `${curl!} -w '\\n%{http_code}'`]);
      const status = stdout.trim().split('\n').pop();
      expect(status).toBe('200');
      const echo = JSON.parse(stdout.trim().split('\n').slice(0, -1).join('\n')) as {
        path: string;
        headers: Record<string, string>;
      };
      expect(echo.path).toBe('/inntekt/v1/inntekt');
      expect(echo.headers).toMatchObject({
        'x-consent-id': id,
        'x-consent-from': 'urn:altinn:person:identifier-no:02013299997',
        'x-consent-to': 'urn:altinn:organization:identifier-no:923609016',
      });
      expect(echo.headers.authorization).toBeUndefined(); // the bank's token stays at the gateway

      demo.proc.kill('SIGTERM');
      expect(await demo.exited).toBe(0);
      expect(existsSync(dir!)).toBe(false); // the key and the data go with it
    } finally {
      if (demo.proc.exitCode === null) demo.proc.kill('SIGKILL');
    }
  }, 240_000);
});
