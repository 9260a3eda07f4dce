/**
 * Photographs every portal page at phone size (360×740) for docs/portal/. Run with
 * `npx tsx scripts/portal-screenshots.ts [name…]` (needs Chromium at /usr/bin/chromium; shrinks them
 * with pngquant when it is installed).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { allPages } from '../test/portal/page-fixtures.ts';
import { launchChromium } from '../test/helpers/browser.ts';

const out = 'docs/portal';
mkdirSync(out, { recursive: true });
const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 360, height: 740 }, javaScriptEnabled: false });
  // Block every request: the pages must render from their own bytes alone.
  await page.route('**/*', (r) => r.abort());
  const only = process.argv.slice(2);
  for (const lang of ['en', 'sw'] as const) {
    for (const [name, html] of allPages(lang)) {
      // Kiswahili: one picture of each distinct screen is enough.
      if (lang === 'sw' && !['home', 'wait', 'failed-wrong_pin', 'status'].includes(name)) continue;
      const file = `${name}${lang === 'sw' ? '.sw' : ''}`;
      if (only.length && !only.includes(file)) continue;
      await page.setContent(html.value);
      await page.screenshot({ path: `${out}/${file}.png`, fullPage: true });
      // Palette PNGs are a third of the size and look the same for flat UI (pngquant, if installed).
      if (existsSync('/usr/bin/pngquant')) {
        spawnSync('/usr/bin/pngquant', [
          '--force',
          '--skip-if-larger',
          '--strip',
          '--ext',
          '.png',
          '64',
          `${out}/${file}.png`,
        ]);
      }
      process.stdout.write(`${out}/${file}.png\n`);
    }
  }
} finally {
  await browser.close();
}
