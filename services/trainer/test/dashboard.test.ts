import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import type { RunStatus } from '@grpo/contracts';
import { chromium } from 'playwright-core';
import { sftRunConfig, tempDir, trainerApp } from './helpers.js';

// Debian's chromium (apt-get install -y chromium), driven by playwright-core; nothing is downloaded.
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

interface DashboardState {
  run: string | null;
  rows: { step: number }[];
  evals: unknown[];
  ended: boolean;
  status: { state: string } | null;
}

test('the dashboard plots a live run in headless Chromium and ends with every step drawn', async (t) => {
  if (!existsSync(CHROMIUM)) {
    // CI installs chromium; there a missing browser is a failure, not a skip.
    if (process.env.CI === 'true') assert.fail(`${CHROMIUM} is missing (apt-get install -y chromium)`);
    t.skip(`${CHROMIUM} not installed`);
    return;
  }
  const dir = await tempDir(t);
  const app = await trainerApp(t, dir);
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  const { id } = (
    await app.inject({ method: 'POST', url: '/v1/runs', payload: sftRunConfig(30) })
  ).json() as RunStatus;

  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
  t.after(() => browser.close());
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto(`${url}/dashboard?run=${id}`);
  await page.waitForFunction(
    () => (window as unknown as { dashboard: DashboardState }).dashboard.ended,
    null,
    {
      timeout: 90_000,
    },
  );
  const state = await page.evaluate(() => {
    const d = (window as unknown as { dashboard: DashboardState }).dashboard;
    return { run: d.run, steps: d.rows.map((r) => r.step), state: d.status?.state };
  });
  assert.equal(state.run, id);
  assert.equal(state.state, 'completed');
  assert.deepEqual(
    state.steps,
    Array.from({ length: 30 }, (_, i) => i + 1),
  );
  assert.equal(await page.locator('.chart canvas').count(), 7);
  assert.equal(await page.textContent('#state'), 'completed');
  assert.match((await page.textContent('#last')) ?? '', /^step 30 · sft · loss \d/);
  assert.deepEqual(errors, []);
});

test('the dashboard serves uPlot from the trainer itself', async (t) => {
  const dir = await tempDir(t);
  const app = await trainerApp(t, dir);
  const js = await app.inject({ method: 'GET', url: '/dashboard/uplot.iife.min.js' });
  assert.equal(js.statusCode, 200);
  assert.match(js.headers['content-type'] as string, /javascript/);
  assert.match(js.body, /uPlot/);
  const html = await app.inject({ method: 'GET', url: '/dashboard' });
  assert.equal(html.statusCode, 200);
  assert.doesNotMatch(html.body, /https?:\/\//, 'no external URLs (no CDN)');
});
