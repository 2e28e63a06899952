import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import type { RunStatus } from '@grpo/contracts';
import { chromium } from 'playwright-core';
import { sftRunConfig, tempDir, trainerApp, waitForState } from './helpers.js';

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

/**
 * `p`, or a failure naming `step` after `ms`: page.evaluate and the closes have no timeout of
 * their own, so a stuck step would otherwise show only as the whole test's 300 s timeout.
 */
async function within<T>(step: string, p: Promise<T>, ms = 30_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${step}: no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}

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
  const state = await within(
    'reading the dashboard state',
    page.evaluate(() => {
      const d = (window as unknown as { dashboard: DashboardState }).dashboard;
      return { run: d.run, steps: d.rows.map((r) => r.step), state: d.status?.state };
    }),
  );
  assert.equal(state.run, id);
  assert.equal(state.state, 'completed');
  assert.deepEqual(
    state.steps,
    Array.from({ length: 30 }, (_, i) => i + 1),
  );
  // reward, accuracy, loss, KL, length, throughput, critic and values (PPO), tool calls and tool time.
  assert.equal(await page.locator('.chart canvas').count(), 9);
  assert.equal(await page.textContent('#state'), 'completed');
  assert.match((await page.textContent('#last')) ?? '', /^step 30 · sft · loss \d/);
  assert.deepEqual(errors, []);
});

interface OverlayState {
  selected: string[];
  ended: boolean;
  runs: Record<string, { rows: { step: number; loss: number | null }[]; ended: boolean }>;
  charts: Record<string, { series: { label: string }[]; data: (number | null)[][] }>;
}

test('a restarted trainer shows its past runs, and the dashboard draws several of them on the same charts', async (t) => {
  if (!existsSync(CHROMIUM)) {
    if (process.env.CI === 'true') assert.fail(`${CHROMIUM} is missing (apt-get install -y chromium)`);
    t.skip(`${CHROMIUM} not installed`);
    return;
  }
  const dir = await tempDir(t);
  const first = await trainerApp(t, dir);
  const ids: string[] = [];
  for (const [steps, seed] of [
    [6, 1],
    [9, 2],
  ] as const) {
    const res = await first.inject({
      method: 'POST',
      url: '/v1/runs',
      payload: sftRunConfig(steps, { name: `seed-${seed}`, seed }),
    });
    const { id } = res.json() as RunStatus;
    await waitForState(first, id, ['completed']);
    await within(`run ${seed} settling`, first.runs.get(id).done);
    ids.push(id);
  }
  await within('closing the first trainer', first.close());
  const [a, b] = ids as [string, string];

  // A new trainer on the same runs directory: both runs are listed and can be drawn together.
  const app = await trainerApp(t, dir);
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    timeout: 60_000,
  });
  t.after(() => within('closing the browser', browser.close()));
  const page = await within('opening a page', browser.newPage());
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${url}/dashboard?runs=${a},${b}`);
  await page.waitForFunction(() => (window as unknown as { dashboard: OverlayState }).dashboard.ended, null, {
    timeout: 60_000,
  });
  const read = () =>
    within(
      'reading the dashboard state',
      page.evaluate(() => {
        const d = (window as unknown as { dashboard: OverlayState }).dashboard;
        const loss = d.charts.loss!;
        return {
          selected: d.selected,
          steps: Object.fromEntries(Object.entries(d.runs).map(([id, r]) => [id, r.rows.map((x) => x.step)])),
          lastLoss: Object.fromEntries(
            Object.entries(d.runs).map(([id, r]) => [id, r.rows.at(-1)?.loss ?? null]),
          ),
          lossLabels: loss.series.map((s) => s.label),
          lossData: loss.data,
          rewardSeries: d.charts.reward!.series.length,
          search: location.search,
        };
      }),
    );
  const both = await read();
  assert.deepEqual(both.selected, [a, b]);
  assert.deepEqual(both.steps[a], [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(both.steps[b], [1, 2, 3, 4, 5, 6, 7, 8, 9]);
  // One loss series per run, labelled with the run; reward and accuracy for each run: 1 + 2 x 2.
  assert.deepEqual(both.lossLabels, [
    'step',
    `seed-1 · ${a.slice(-6)} · loss`,
    `seed-2 · ${b.slice(-6)} · loss`,
  ]);
  assert.equal(both.rewardSeries, 5);
  // x is the union of the steps; run a has no row past step 6.
  assert.deepEqual(both.lossData[0], [1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.equal(both.lossData[1]?.[5], both.lastLoss[a]);
  assert.equal(both.lossData[1]?.[8], null);
  assert.equal(both.lossData[2]?.[8], both.lastLoss[b]);
  assert.equal(await page.locator('#runs input.run-pick').count(), 2);
  assert.equal(await page.locator('#evals tr').count(), 0, 'SFT-only runs have no evals');

  // Unticking a run redraws the charts without it and updates the address.
  await page.locator(`#runs input[value="${b}"]`).uncheck();
  const one = await read();
  assert.deepEqual(one.selected, [a]);
  assert.deepEqual(one.lossLabels, ['step', 'loss']);
  assert.equal(one.search, `?runs=${a}`);
  assert.deepEqual(errors, []);
  // The browser goes before the trainer, so no open page connection holds the trainer's close.
  await within('closing the browser', browser.close());
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
