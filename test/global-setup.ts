/**
 * Runs once before the suite: builds the admin SPA into web/admin/dist, so every browser test
 * and the static-asset tests see the current code. Built here, not per test file: files run in
 * parallel, and two builds emptying the same folder would pull it from under a running server.
 */
import { buildAdmin } from './helpers/browser.ts';

export default function setup(): void {
  buildAdmin();
}
