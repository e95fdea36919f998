/**
 * Runs the examples of a markdown document, in order, against a real service — so the docs are
 * tested like code (docs/*.md; test/e2e/docs.e2e-spec.ts).
 *
 * ```http blocks (the VS Code REST Client / JetBrains HTTP Client format):
 *   - `@name = value` lines define file variables; `{{name}}` uses them;
 *   - `{{$processEnv NAME}}` reads a variable exported by an earlier ```sh block;
 *   - `# @name req` names a request; `{{req.response.body.$.a.b}}` / `{{req.response.headers.X}}`
 *     read its answer;
 *   - `METHOD URL`, headers, a blank line, a body: one request per block, and it must be
 *     followed by a ```http block that starts with `HTTP/1.1 <status>`: the documented answer.
 *     The status must match; documented headers must be present (Content-Type's media type must
 *     match); a documented JSON body must be a *subset* of the real one (every key present, every
 *     value equal, where `…` inside a string matches anything and arrays match element by element,
 *     all of them unless the documented array ends with a `"…"` element).
 * ```sh blocks run with bash (`set -euo pipefail`) in one working directory; variables they
 *   `export` carry over to later blocks. `# → text` lines are expected output: in order, each
 *   must equal a line of the block's stdout (`…` matches anything). `npm` and `docker` are
 *   shell functions that hand the command to the test (see `DocsRunnerOptions`), because the
 *   service under test runs inside the test process.
 * Other blocks (```json, ```text …) are illustrations and are not run.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

export interface DocBlock {
  lang: string;
  text: string;
  /** 1-based line of the opening fence. */
  line: number;
  file: string;
  heading: string;
}

/** Fenced blocks of a markdown document, with the heading they are under. */
export function extractBlocks(markdown: string, file: string): DocBlock[] {
  const lines = markdown.split(/\r?\n/);
  const blocks: DocBlock[] = [];
  let heading = '';
  for (let i = 0; i < lines.length; i++) {
    const h = /^#{1,6}\s+(.*)$/.exec(lines[i]);
    if (h) heading = h[1];
    const open = /^(\s*)(`{3,})\s*([\w-]*)\s*$/.exec(lines[i]);
    if (!open) continue;
    const fence = open[2];
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !lines[j].trimStart().startsWith(fence); j++) body.push(lines[j]);
    blocks.push({ lang: open[3], text: body.join('\n'), line: i + 1, file, heading });
    i = j;
  }
  return blocks;
}

export interface CommandResult {
  stdout: string;
  stderr?: string;
  code: number;
}

export interface DocsRunnerOptions {
  workDir: string;
  /** File variables the test decides (e.g. `gateway`): definitions in the docs are ignored. */
  pinnedVars: Record<string, string>;
  /** Shell variables the test decides (e.g. `GATEWAY`): `export NAME=…` lines are replaced. */
  pinnedEnv: Record<string, string>;
  /** Documented text → real text in expected answers (e.g. `http://localhost:8080` → the test URL). */
  replacements: Record<string, string>;
  /** Handles `npm …` from a shell block. */
  npm: (argv: string[]) => Promise<CommandResult>;
  /** Handles `docker …` from a shell block. */
  docker: (argv: string[]) => Promise<CommandResult>;
}

interface ParsedRequest {
  name?: string;
  method: string;
  url: string;
  headers: [string, string][];
  body?: string;
}

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
}

export interface RunRecord {
  file: string;
  line: number;
  heading: string;
  kind: 'request' | 'shell';
  what: string;
}

export class DocsRunner {
  readonly vars = new Map<string, string>();
  readonly responses = new Map<string, Answer>();
  readonly ran: RunRecord[] = [];
  private oracle?: Server;
  private oracleUrl = '';
  private blockNo = 0;

  constructor(private readonly o: DocsRunnerOptions) {
    for (const [k, v] of Object.entries(o.pinnedVars)) this.vars.set(k, v);
  }

  /** The bridge `npm`/`docker` shell functions call (started once). */
  async start(): Promise<void> {
    this.oracle = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const { tool, argv } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
          tool: 'npm' | 'docker';
          argv: string[];
        };
        const handler = tool === 'npm' ? this.o.npm : this.o.docker;
        handler(argv).then(
          (r) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(r)),
          (err: unknown) =>
            res
              .writeHead(200)
              .end(JSON.stringify({ stdout: '', stderr: `${(err as Error).message}\n`, code: 1 })),
        );
      });
    });
    await new Promise<void>((resolve) => this.oracle!.listen(0, '127.0.0.1', resolve));
    this.oracleUrl = `http://127.0.0.1:${(this.oracle.address() as AddressInfo).port}`;
    await writeFile(
      path.join(this.o.workDir, '.docs-bridge.mjs'),
      `const [tool, ...argv] = process.argv.slice(2);
const res = await fetch(process.env.DOCS_BRIDGE_URL, { method: 'POST', body: JSON.stringify({ tool, argv }) });
const r = await res.json();
process.stdout.write(r.stdout ?? '');
process.stderr.write(r.stderr ?? '');
process.exit(r.code ?? 0);
`,
    );
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.oracle ? this.oracle.close(() => resolve()) : resolve()));
  }

  async run(blocks: DocBlock[]): Promise<void> {
    let pending: { block: DocBlock; answer: Answer; request: ParsedRequest } | undefined;
    for (const block of blocks) {
      if (block.lang === 'http') {
        const parsed = this.parseHttp(block);
        if (parsed.kind === 'response') {
          if (!pending) throw this.fail(block, 'a documented answer without a request before it');
          this.checkAnswer(block, parsed.status, parsed.headers, parsed.body, pending.answer);
          pending = undefined;
          continue;
        }
        if (pending)
          throw this.fail(
            pending.block,
            'a request without its documented answer (```http block starting "HTTP/1.1 <status>")',
          );
        if (parsed.kind === 'request') {
          const answer = await this.send(block, parsed.request);
          if (parsed.request.name) this.responses.set(parsed.request.name, answer);
          this.ran.push({
            file: block.file,
            line: block.line,
            heading: block.heading,
            kind: 'request',
            what: `${parsed.request.method} ${parsed.request.url}`,
          });
          pending = { block, answer, request: parsed.request };
        }
      } else if (block.lang === 'sh' || block.lang === 'bash') {
        if (pending) throw this.fail(pending.block, 'a request without its documented answer');
        await this.shell(block);
        this.ran.push({
          file: block.file,
          line: block.line,
          heading: block.heading,
          kind: 'shell',
          what: block.text.split('\n')[0],
        });
      }
    }
    if (pending) throw this.fail(pending.block, 'a request without its documented answer');
  }

  // ───────────── http ─────────────

  private parseHttp(
    block: DocBlock,
  ):
    | { kind: 'vars' }
    | { kind: 'request'; request: ParsedRequest }
    | { kind: 'response'; status: number; headers: [string, string][]; body?: string } {
    const lines = block.text.split('\n');
    let name: string | undefined;
    let i = 0;
    for (; i < lines.length; i++) {
      const line = lines[i].trim();
      if (!line) continue;
      const named = /^(?:#|\/\/)\s*@name\s+(\S+)$/.exec(line);
      if (named) {
        name = named[1];
        continue;
      }
      if (line.startsWith('#') || line.startsWith('//')) continue;
      const variable = /^@([\w-]+)\s*=\s*(.*)$/.exec(line);
      if (variable) {
        if (!(variable[1] in this.o.pinnedVars)) this.vars.set(variable[1], variable[2].trim());
        continue;
      }
      break;
    }
    if (i >= lines.length) return { kind: 'vars' };
    const first = lines[i].trim();
    const headers: [string, string][] = [];
    let j = i + 1;
    for (; j < lines.length && lines[j].trim() !== ''; j++) {
      const h = /^([\w-]+):\s*(.*)$/.exec(lines[j].trim());
      if (!h) throw this.fail(block, `not a header line: ${lines[j]}`);
      headers.push([h[1], h[2]]);
    }
    const bodyText = lines
      .slice(j + 1)
      .join('\n')
      .trim();
    const body = bodyText === '' ? undefined : bodyText;
    const status = /^HTTP\/[\d.]+\s+(\d{3})\b/.exec(first);
    if (status) return { kind: 'response', status: Number(status[1]), headers, body };
    const req = /^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\s+(.+?)(?:\s+HTTP\/[\d.]+)?$/.exec(first);
    if (!req) throw this.fail(block, `not a request line: ${first}`);
    return { kind: 'request', request: { name, method: req[1], url: req[2], headers, body } };
  }

  private substitute(block: DocBlock, text: string, depth = 0): string {
    if (depth > 10) throw this.fail(block, 'variables nest too deeply');
    return text.replace(/\{\{\s*([^}]+?)\s*\}\}/g, (_all, expr: string) => {
      const env = /^\$processEnv\s+(\w+)$/.exec(expr);
      if (env) {
        const v = this.env()[env[1]];
        if (v === undefined)
          throw this.fail(block, `$processEnv ${env[1]} is not set by an earlier shell block`);
        return v;
      }
      const ref = /^([\w-]+)\.response\.(body|headers)\.(.+)$/.exec(expr);
      if (ref) {
        const answer = this.responses.get(ref[1]);
        if (!answer) throw this.fail(block, `no earlier request named ${ref[1]}`);
        if (ref[2] === 'headers') return answer.headers.get(ref[3]) ?? '';
        const v = jsonPath(answer.json, ref[3]);
        if (v === undefined || v === null) return '';
        return typeof v === 'string' ? v : JSON.stringify(v);
      }
      const v = this.vars.get(expr);
      if (v === undefined) throw this.fail(block, `unknown variable {{${expr}}}`);
      return this.substitute(block, v, depth + 1);
    });
  }

  private async send(block: DocBlock, r: ParsedRequest): Promise<Answer> {
    const url = this.substitute(block, r.url);
    const headers = new Headers();
    for (const [k, v] of r.headers) headers.append(k, this.substitute(block, v));
    const body = r.body === undefined ? undefined : this.substitute(block, r.body);
    const res = await fetch(url, { method: r.method, headers, body, redirect: 'manual' });
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, text, json };
  }

  private replaceDocumented(text: string): string {
    let out = text;
    for (const [from, to] of Object.entries(this.o.replacements)) out = out.split(from).join(to);
    return out;
  }

  private checkAnswer(
    block: DocBlock,
    status: number,
    headers: [string, string][],
    body: string | undefined,
    actual: Answer,
  ): void {
    const context = () => `\n--- the service answered ${actual.status}:\n${actual.text.slice(0, 2000)}`;
    if (actual.status !== status)
      throw this.fail(block, `documented status ${status}, got ${actual.status}${context()}`);
    for (const [name, value] of headers) {
      const got = actual.headers.get(name);
      if (got === null) throw this.fail(block, `documented header ${name} is missing${context()}`);
      if (name.toLowerCase() === 'content-type' && got.split(';')[0].trim() !== value.split(';')[0].trim())
        throw this.fail(block, `documented Content-Type ${value}, got ${got}`);
    }
    if (body === undefined) return;
    let documented: unknown;
    try {
      documented = JSON.parse(this.replaceDocumented(body));
    } catch {
      throw this.fail(block, 'the documented body is not valid JSON');
    }
    const problem = subsetProblem(documented, actual.json, '$');
    if (problem) throw this.fail(block, `the documented body does not match: ${problem}${context()}`);
  }

  // ───────────── shell ─────────────

  private envFile(): string {
    return path.join(this.o.workDir, '.docs-env');
  }

  /** Variables exported so far (read back from the last block). */
  env(): Record<string, string> {
    return this.exported;
  }

  private exported: Record<string, string> = {};

  private async shell(block: DocBlock): Promise<void> {
    const n = ++this.blockNo;
    let script = block.text;
    for (const [name, value] of Object.entries(this.o.pinnedEnv))
      script = script.replace(
        new RegExp(`^(\\s*)export ${name}=.*$`, 'gm'),
        `$1export ${name}=${shellQuote(value)}`,
      );
    const prelude = [
      'set -euo pipefail',
      ...Object.entries({ ...this.exported, ...this.o.pinnedEnv }).map(
        ([k, v]) => `export ${k}=${shellQuote(v)}`,
      ),
      'npm() { node "$DOCS_BRIDGE" npm "$@"; }',
      'docker() { node "$DOCS_BRIDGE" docker "$@"; }',
      `trap "env -0 > ${shellQuote(this.envFile())}" EXIT`,
    ].join('\n');
    const file = path.join(this.o.workDir, `.block-${n}.sh`);
    await writeFile(file, `${prelude}\n${script}\n`);
    const baseEnv = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: this.o.workDir,
      LANG: 'C.UTF-8',
      DOCS_BRIDGE: path.join(this.o.workDir, '.docs-bridge.mjs'),
      DOCS_BRIDGE_URL: this.oracleUrl,
      NODE_OPTIONS: '',
    };
    const result = await runBash(file, this.o.workDir, baseEnv);
    if (existsSync(this.envFile())) {
      const all: Record<string, string> = {};
      for (const entry of (await readFile(this.envFile(), 'utf8')).split('\0')) {
        const eq = entry.indexOf('=');
        if (eq <= 0) continue;
        const k = entry.slice(0, eq);
        if (k in baseEnv || SKIP.includes(k) || k.startsWith('BASH_FUNC_')) continue;
        all[k] = entry.slice(eq + 1);
      }
      this.exported = all;
    }
    if (result.code !== 0)
      throw this.fail(
        block,
        `the shell block exited with ${result.code}\n--- stdout:\n${result.stdout}\n--- stderr:\n${result.stderr}`,
      );
    const expected = [...block.text.matchAll(/^\s*# → (.*)$/gm)].map((m) => m[1].trim());
    const out = result.stdout.split('\n').map((l) => l.trim());
    let from = 0;
    for (const want of expected) {
      const re = new RegExp(`^${want.split('…').map(escapeRegExp).join('.*')}$`);
      const at = out.findIndex((l, idx) => idx >= from && re.test(l));
      if (at < 0)
        throw this.fail(
          block,
          `expected output "${want}" not found (in order)\n--- stdout:\n${result.stdout}\n--- stderr:\n${result.stderr}`,
        );
      from = at + 1;
    }
  }

  private fail(block: DocBlock, message: string): Error {
    return new Error(`${block.file}:${block.line} (under "${block.heading}"): ${message}`);
  }
}

/** Shell variables of bash itself, not worth carrying between blocks. */
const SKIP = ['PWD', 'OLDPWD', 'SHLVL', '_'];

async function runBash(file: string, cwd: string, env: Record<string, string>): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [file], {
      cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, code: code ?? 1 });
    });
  });
}

function shellQuote(v: string): string {
  return `'${v.replace(/'/g, `'\\''`)}'`;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `$.a.b[0].c` */
function jsonPath(value: unknown, expr: string): unknown {
  const parts = expr.replace(/^\$\.?/, '').match(/[^.[\]]+/g) ?? [];
  let cur: unknown = value;
  for (const p of parts)
    cur = cur === null || cur === undefined ? undefined : (cur as Record<string, unknown>)[p];
  return cur;
}

/** Where `documented` is not a subset of `actual`, or null. */
export function subsetProblem(documented: unknown, actual: unknown, at: string): string | null {
  if (typeof documented === 'string' && documented.includes('…')) {
    if (typeof actual !== 'string') return `${at}: expected a string, got ${JSON.stringify(actual)}`;
    const re = new RegExp(`^${documented.split('…').map(escapeRegExp).join('[\\s\\S]*')}$`);
    return re.test(actual)
      ? null
      : `${at}: ${JSON.stringify(actual)} does not match ${JSON.stringify(documented)}`;
  }
  if (Array.isArray(documented)) {
    if (!Array.isArray(actual)) return `${at}: expected an array, got ${JSON.stringify(actual)}`;
    // Arrays are checked in full: `[]` documents an empty list, not "some list". A documented
    // array that ends with "…" shows the first items of a longer one.
    const open = documented.length > 0 && documented[documented.length - 1] === '…';
    const shown = open ? documented.length - 1 : documented.length;
    if (open ? actual.length < shown : actual.length !== shown)
      return `${at}: expected ${open ? 'at least ' : ''}${shown} items, got ${actual.length}: ${JSON.stringify(actual).slice(0, 300)}`;
    for (let i = 0; i < shown; i++) {
      const p = subsetProblem(documented[i], actual[i], `${at}[${i}]`);
      if (p) return p;
    }
    return null;
  }
  if (documented !== null && typeof documented === 'object') {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual))
      return `${at}: expected an object, got ${JSON.stringify(actual)}`;
    for (const [k, v] of Object.entries(documented)) {
      if (!(k in actual)) return `${at}.${k} is missing`;
      const p = subsetProblem(v, (actual as Record<string, unknown>)[k], `${at}.${k}`);
      if (p) return p;
    }
    return null;
  }
  return documented === actual
    ? null
    : `${at}: expected ${JSON.stringify(documented)}, got ${JSON.stringify(actual)}`;
}
