/**
 * What the real-browser e2e files share (portal, partial acceptance, extension, admin login):
 * Debian's chromium driven by playwright-core, the screenshots folder CI keeps, and axe-core.
 * Each file still drives its own pages; only the set-up and the axe run live here.
 */
import { describe } from '@jest/globals';
import { existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/** Headless, no sandbox (containers), nothing that phones home or updates itself mid-test. */
const LAUNCH_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The folder .ci/run keeps as the run's artefact (a screenshot of every page a flow visits). */
export const SCREENSHOTS = path.join(process.cwd(), 'test-artifacts', 'screenshots');

/**
 * `describe` where a browser can run, `describe.skip` only when chromium is missing outside CI
 * (in CI it must run, so a missing chromium fails there instead of passing silently).
 */
export const browserSuite = existsSync(CHROMIUM) || process.env.CI ? describe : describe.skip;

/** Launches chromium and makes sure the screenshots folder exists. */
export async function launchBrowser(): Promise<Browser> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  return chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS });
}

/** A full-page screenshot named `<name>.png` in SCREENSHOTS. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

const AXE_SOURCE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];

export interface AxeViolation {
  id: string;
  impact: 'minor' | 'moderate' | 'serious' | 'critical' | null;
  help: string;
  nodes: unknown[];
}

/**
 * The serious and critical axe-core (WCAG 2.1 A/AA and best practice) violations on the page.
 * axe is injected as a script, which the pages' CSP rightly forbids: the page must be in a
 * context opened with `bypassCSP: true`, kept for this check only.
 */
export async function seriousAxeViolations(page: Page): Promise<AxeViolation[]> {
  await page.addScriptTag({ path: AXE_SOURCE });
  // Runs in the page (a string: this project compiles without the DOM typings).
  const violations = await page.evaluate<AxeViolation[]>(`
    axe.run(document, { runOnly: { type: 'tag', values: ${JSON.stringify(AXE_TAGS)} } }).then((r) =>
      r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target) })))
  `);
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

export interface ConsumerSite {
  /** e.g. http://127.0.0.1:44123 (no trailing slash). */
  url: string;
  close(): Promise<void>;
}

/** The consumer's landing page a decision redirects to: "Back at the bank" on any path. */
export async function startConsumerSite(): Promise<ConsumerSite> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<!DOCTYPE html><html lang="en"><title>Bank</title><h1>Back at the bank</h1></html>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
