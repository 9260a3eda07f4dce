/**
 * axe-core in the browser tests: loaded from node_modules into the page under test (no CDN),
 * run against the whole document, and any serious or critical violation fails the test with the
 * rule, its help text and the offending elements, so the message says what to fix.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeProblem {
  rule: string;
  impact: string;
  help: string;
  targets: string[];
}

/** Serious and critical axe-core violations on the page as it is now. */
export async function seriousAxeIssues(page: Page): Promise<AxeProblem[]> {
  // Evaluated over the DevTools protocol rather than added as a <script>: the pages' CSP (nonce
  // only) would block an injected tag, and loosening it for tests would test another page.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE);
  const violations = await page.evaluate(async () => {
    // axe is injected above and untyped in the page.
    const r = await (window as any).axe.run(document, { resultTypes: ['violations'] });
    return r.violations as {
      id: string;
      impact: string;
      help: string;
      nodes: { target: string[] }[];
    }[];
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({
      rule: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.map((n) => n.target.join(' ')),
    }));
}

/**
 * The same check for a page whose context has JavaScript off: axe cannot run there (its timers
 * never fire), so it runs on a copy of the page as served — its HTML with the scripts taken out,
 * its stylesheets resolved against the page's address — in a scratch context with scripts on.
 */
export async function seriousAxeIssuesWithoutScripts(page: Page): Promise<AxeProblem[]> {
  const html = (await page.content())
    .replace(/<script\b[\s\S]*?<\/script>/gi, '')
    .replace(/<head([^>]*)>/i, `<head$1><base href="${page.url()}">`);
  const context = await page.context().browser()!.newContext({ viewport: page.viewportSize() });
  try {
    const copy = await context.newPage();
    await copy.setContent(html, { waitUntil: 'load' });
    return await seriousAxeIssues(copy);
  } finally {
    await context.close();
  }
}

export async function expectNoSeriousAxeIssues(
  page: Page,
  where = page.url(),
  o: { scriptsOff?: boolean } = {},
): Promise<void> {
  const problems = o.scriptsOff ? await seriousAxeIssuesWithoutScripts(page) : await seriousAxeIssues(page);
  expect({ where, problems }).toEqual({ where, problems: [] });
}

/** A single-page app's route has drawn: a level-one heading is there and nothing says Loading…. */
export async function settled(page: Page): Promise<void> {
  await page.waitForFunction(
    () => document.querySelector('h1') && !document.body.innerText.includes('Loading…'),
  );
}

/**
 * Open each route of a single-page app in turn (a full load, as a bookmark would) and check it
 * once `ready` says it has drawn, so axe sees the page and not its loading state. A page added
 * later is one more path in the caller's list.
 */
export async function expectRoutesAccessible(
  page: Page,
  urls: string[],
  ready: (page: Page) => Promise<unknown> = settled,
): Promise<void> {
  for (const url of urls) {
    await page.goto(url);
    await ready(page);
    await expectNoSeriousAxeIssues(page, url);
  }
}
