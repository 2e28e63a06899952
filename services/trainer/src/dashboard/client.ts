/**
 * The dashboard's browser script (served as /dashboard/app.js). Plain ES2020 in a string: the
 * page needs no bundler, and the script only talks to the trainer's own REST and SSE routes.
 * `window.dashboard` exposes what it has drawn, for the headless-browser test.
 */
export const DASHBOARD_SCRIPT = `
(() => {
  'use strict';
  const $ = (id) => document.getElementById(id);
  const CHARTS = [
    { id: 'reward', title: 'Reward and accuracy', series: [['rewardMean', 'reward mean', '#2563eb'], ['accuracy', 'accuracy', '#16a34a']] },
    { id: 'loss', title: 'Loss', series: [['loss', 'loss', '#9333ea']] },
    { id: 'kl', title: 'KL to reference', series: [['kl', 'KL', '#dc2626'], ['entropy', 'entropy', '#f59e0b']] },
    { id: 'length', title: 'Completion length (tokens)', series: [['completionLengthMean', 'mean', '#0891b2'], ['completionLengthMax', 'max', '#94a3b8']] },
    { id: 'throughput', title: 'Throughput (tokens/s)', series: [['tokensPerSecond', 'tokens/s', '#ea580c']] },
    { id: 'critic', title: 'Critic (PPO)', series: [['valueLoss', 'value loss', '#7c3aed'], ['explainedVariance', 'explained variance', '#059669'], ['valueClipFraction', 'value clip fraction', '#64748b']] },
    { id: 'values', title: 'Values, returns, advantages (PPO)', series: [['valueMean', 'value mean', '#2563eb'], ['returnMean', 'return mean', '#16a34a'], ['advantageMean', 'advantage mean', '#dc2626'], ['advantageStd', 'advantage std', '#f59e0b']] },
  ];
  const state = { run: null, rows: [], evals: [], status: null, ended: false, charts: {} };
  window.dashboard = state;

  function fmt(x, d) { return x === null || x === undefined ? '–' : Number(x).toFixed(d === undefined ? 3 : d); }

  function makeCharts() {
    const grid = $('charts');
    const width = Math.max(320, Math.min(560, grid.clientWidth / 2 - 24));
    for (const c of CHARTS) {
      const box = document.createElement('div');
      box.className = 'chart';
      box.id = 'chart-' + c.id;
      grid.appendChild(box);
      const opts = {
        title: c.title, width: width, height: 220,
        scales: { x: { time: false } },
        series: [{ label: 'step' }].concat(c.series.map((s) => ({ label: s[1], stroke: s[2], width: 2, spanGaps: true }))),
        axes: [{ label: 'step' }, {}],
      };
      state.charts[c.id] = new uPlot(opts, [[]].concat(c.series.map(() => [])), box);
    }
  }

  function redraw() {
    for (const c of CHARTS) {
      const xs = state.rows.map((r) => r.step);
      const data = [xs].concat(c.series.map((s) => state.rows.map((r) => (r[s[0]] === undefined ? null : r[s[0]]))));
      state.charts[c.id].setData(data);
    }
    const last = state.rows[state.rows.length - 1];
    $('last').textContent = last
      ? 'step ' + last.step + ' · ' + last.stageType + ' · loss ' + fmt(last.loss) + ' · reward ' + fmt(last.rewardMean) +
        ' · accuracy ' + fmt(last.accuracy) + ' · ' + fmt(last.tokensPerSecond, 0) + ' tok/s' +
        (last.valueLoss === undefined ? '' : ' · value loss ' + fmt(last.valueLoss) + ' · explained variance ' + fmt(last.explainedVariance) + (last.criticWarmup ? ' (critic warm-up)' : ''))
      : 'no steps yet';
  }

  function showStatus() {
    const s = state.status;
    if (!s) return;
    $('state').textContent = s.state;
    $('state').className = 'state ' + s.state;
    $('progress').textContent = s.step + ' / ' + s.totalSteps + ' steps · stage ' + s.stage + ' (' + s.stageType + ')' + (s.error ? ' · ' + s.error.code + ': ' + s.error.message : '');
  }

  function showEvals() {
    const body = $('evals');
    body.textContent = '';
    for (const e of state.evals) {
      const tr = document.createElement('tr');
      for (const v of [e.name, e.step, e.split, e.count, fmt(e.accuracy), fmt(e.rewardMean), fmt(e.completionLengthMean, 1)]) {
        const td = document.createElement('td');
        td.textContent = String(v);
        tr.appendChild(td);
      }
      body.appendChild(tr);
    }
  }

  let pending = false;
  function schedule() {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => { pending = false; redraw(); });
  }

  function follow(id) {
    const es = new EventSource('/v1/runs/' + encodeURIComponent(id) + '/events');
    es.addEventListener('status', (ev) => { state.status = JSON.parse(ev.data); showStatus(); });
    es.addEventListener('step', (ev) => {
      const row = JSON.parse(ev.data);
      if (state.rows.length && state.rows[state.rows.length - 1].step >= row.step) return;
      state.rows.push(row);
      schedule();
    });
    es.addEventListener('eval', (ev) => {
      const rec = JSON.parse(ev.data);
      if (!state.evals.some((e) => e.stage === rec.stage)) state.evals.push(rec);
      showEvals();
    });
    es.addEventListener('end', () => { state.ended = true; es.close(); redraw(); });
  }

  async function main() {
    makeCharts();
    const res = await fetch('/v1/runs');
    const runs = (await res.json()).runs || [];
    const wanted = new URLSearchParams(location.search).get('run');
    const run = runs.find((r) => r.id === wanted) || runs[runs.length - 1];
    const select = $('run');
    for (const r of runs) {
      const o = document.createElement('option');
      o.value = r.id;
      o.textContent = r.id + (r.name ? ' (' + r.name + ')' : '');
      select.appendChild(o);
    }
    select.addEventListener('change', () => { location.search = '?run=' + encodeURIComponent(select.value); });
    if (!run) { $('progress').textContent = 'no runs yet: POST /v1/runs, then reload'; return; }
    select.value = run.id;
    state.run = run.id;
    state.status = run;
    showStatus();
    follow(run.id);
  }
  main().catch((err) => { $('progress').textContent = 'error: ' + err.message; });
})();
`;
