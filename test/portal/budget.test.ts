/**
 * The portal's page budget (DESIGN.md §7): every page, in every language, is at most 14 KB
 * gzipped HTML+CSS (it arrives in the first TCP round trip), refers to no other host (the walled
 * garden blocks them), declares its language and labels every input.
 */
import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { brandingFrom, contrast } from '../../src/branding/index.ts';
import { BUDGET_BYTES, externalReferences, references, unlabelledInputs } from './page-checks.ts';
import { FIXTURE_HOTSPOT, allPages } from './page-fixtures.ts';

describe('portal page budget', () => {
  for (const lang of ['en', 'sw'] as const) {
    for (const [name, html] of allPages(lang)) {
      it(`${name} (${lang}) fits the first round trip, stays on our host, is labelled`, () => {
        const page = html.value;
        const gz = gzipSync(page).length;
        expect(gz, `${name}: ${gz} bytes gzipped`).toBeLessThanOrEqual(BUDGET_BYTES);
        // The router's own log-out page sits beside its login page.
        const logout = FIXTURE_HOTSPOT.linkLoginOnly!.replace(/login$/, 'logout');
        const allowed = [FIXTURE_HOTSPOT.linkLoginOnly!, FIXTURE_HOTSPOT.linkOrig!, logout];
        expect(externalReferences(page, allowed)).toEqual([]);
        // The hotspot URLs only ever appear as navigation (a form posting to the router, a link on).
        for (const r of references(page)) {
          if (allowed.includes(r.url)) expect(['action', 'href']).toContain(r.kind);
        }
        expect(page).not.toMatch(/<link\b|@font-face|<img\b|<iframe\b|<script\b[^>]*\bsrc=/i);
        expect(page).toMatch(new RegExp(`^<!doctype html>\\s*<html lang="${lang}"`));
        expect(unlabelledInputs(page)).toEqual([]);
        // One level-one heading names every page (screen readers jump to it).
        expect((page.match(/<h1\b/g) ?? []).length, `${name}: one <h1>`).toBe(1);
        // Scripts are optional extras: every one carries the CSP nonce, and every form posts somewhere.
        for (const s of page.matchAll(/<script\b[^>]*>/g)) expect(s[0]).toMatch(/nonce="/);
        for (const f of page.matchAll(/<form\b[^>]*>/g)) expect(f[0]).toMatch(/method="post" action="/);
      });
    }
  }

  it('the checks catch what they are meant to catch', () => {
    const bad =
      '<html lang="en"><link rel="stylesheet" href="https://fonts.googleapis.com/css"><style>a{background:url(https://cdn.example/x.png)}</style>' +
      '<form method="post" action="//evil.example/x"><input type="text" name="q"></form><a href="/portal?x=1">ok</a><a href="tel:0700">t</a>';
    expect(externalReferences(bad, [])).toEqual([
      'href=https://fonts.googleapis.com/css',
      'action=//evil.example/x',
      'url()=https://cdn.example/x.png',
    ]);
    expect(unlabelledInputs(bad)).toHaveLength(1);
    // An inlined 20 KB image (incompressible) would not fit.
    expect(gzipSync(`<p>${randomBytes(20_000).toString('base64')}</p>`).length).toBeGreaterThan(BUDGET_BYTES);
  });

  it('text on the operator colour always has at least 4.5:1 contrast', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffff }), (n) => {
        const color = `#${n.toString(16).padStart(6, '0')}`;
        const b = brandingFrom({ color });
        expect(b.color).toBe(color);
        expect(contrast(b.color, b.onColor)).toBeGreaterThanOrEqual(4.5);
      }),
    );
  });

  it('refuses branding values that could break out of CSS or a tel: link', () => {
    const b = brandingFrom({
      name: 'x'.repeat(100),
      color: 'red;}</style><script>',
      supportPhone: 'javascript:1',
    });
    expect(b.color).toBe('#0b6e4f');
    expect(b.supportPhone).toBeNull();
    expect(b.name).toHaveLength(60);
  });
});
