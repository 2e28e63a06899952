/**
 * The dashboard's browser script (served as /dashboard/app.js). Plain ES2020 in a string: the
 * page needs no bundler, and the script only talks to the trainer's own REST and SSE routes.
 * Several runs can be picked at once: their metrics are drawn over each other on the same
 * charts, one colour per run. `window.dashboard` exposes what it has drawn, for the
 * headless-browser test.
 */
export const DASHBOARD_SCRIPT = `
(() => {
  'use strict';
  const $ = (id) => document.getElementById(id);
  const CHARTS = [
    { id: 'reward', title: 'Reward and accuracy', series: [['rewardMean', 'reward mean'], ['accuracy', 'accuracy']] },
    { id: 'loss', title: 'Loss', series: [['loss', 'loss']] },
    { id: 'kl', title: 'KL to reference', series: [['kl', 'KL'], ['entropy', 'entropy']] },
    { id: 'length', title: 'Completion length (tokens)', series: [['completionLengthMean', 'mean'], ['completionLengthMax', 'max']] },
    { id: 'throughput', title: 'Throughput (tokens/s)', series: [['tokensPerSecond', 'tokens/s']] },
    { id: 'critic', title: 'Critic (PPO)', series: [['valueLoss', 'value loss'], ['explainedVariance', 'explained variance'], ['valueClipFraction', 'value clip fraction']] },
    { id: 'values', title: 'Values, returns, advantages (PPO)', series: [['valueMean', 'value mean'], ['returnMean', 'return mean'], ['advantageMean', 'advantage mean'], ['advantageStd', 'advantage std']] },
    { id: 'tools', title: 'Tool calls (tool rollouts)', series: [['tools.callsPerTrajectory', 'calls / trajectory'], ['tools.turnsMean', 'turns'], ['tools.errorRate', 'error rate'], ['tools.timeoutRate', 'timeout rate'], ['tools.truncationRate', 'truncation rate'], ['tools.maskedFraction', 'masked out']] },
    { id: 'tooltime', title: 'Tool vs model time per trajectory (ms)', series: [['tools.toolMsMean', 'tool'], ['tools.modelMsMean', 'model']] },
  ];
  const COLORS = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#ca8a04', '#db2777'];
  /** Dashes of a chart's second, third... metric, so they stay apart from the first one of the same run. */
  const DASHES = [undefined, [6, 4], [2, 3], [8, 3, 2, 3]];
  // runs: every run of the trainer by id: {status, rows, evals, ended}; selected: the ids drawn.
  const state = { run: null, rows: [], evals: [], status: null, ended: false, runs: {}, selected: [], charts: {} };
  window.dashboard = state;

  /** A metric by name; 'tools.x' reads the nested tool metrics (null without tools). */
  function pick(r, name) {
    const v = name.split('.').reduce((o, k) => (o === null || o === undefined ? null : o[k]), r);
    return v === undefined ? null : v;
  }

  function fmt(x, d) { return x === null || x === undefined ? '–' : Number(x).toFixed(d === undefined ? 3 : d); }
  function pct(x) { return (100 * x).toFixed(1) + '%'; }
  function label(id) { const r = state.runs[id]; return (r.status.name ? r.status.name + ' · ' : '') + id.slice(-6); }
  function color(id) { return COLORS[state.selected.indexOf(id) % COLORS.length]; }

  function makeCharts() {
    const grid = $('charts');
    for (const c of Object.values(state.charts)) c.destroy();
    grid.textContent = '';
    state.charts = {};
    const width = Math.max(320, Math.min(560, grid.clientWidth / 2 - 24));
    for (const c of CHARTS) {
      const box = document.createElement('div');
      box.className = 'chart';
      box.id = 'chart-' + c.id;
      grid.appendChild(box);
      const series = [{ label: 'step' }];
      for (const id of state.selected) {
        c.series.forEach((s, k) => series.push({
          label: (state.selected.length > 1 ? label(id) + ' · ' : '') + s[1],
          stroke: color(id), dash: DASHES[k], width: 2, spanGaps: true,
        }));
      }
      const opts = { title: c.title, width: width, height: 220, scales: { x: { time: false } }, series: series, axes: [{ label: 'step' }, {}] };
      state.charts[c.id] = new uPlot(opts, series.map(() => []), box);
    }
  }

  function redraw() {
    // The union of the picked runs' steps; a run without a row at a step draws a gap there.
    const steps = new Set();
    for (const id of state.selected) for (const r of state.runs[id].rows) steps.add(r.step);
    const xs = [...steps].sort((a, b) => a - b);
    const at = {};
    for (const id of state.selected) {
      const m = new Map();
      for (const r of state.runs[id].rows) m.set(r.step, r);
      at[id] = m;
    }
    for (const c of CHARTS) {
      const data = [xs];
      for (const id of state.selected) {
        for (const s of c.series) data.push(xs.map((x) => { const r = at[id].get(x); return r ? pick(r, s[0]) : null; }));
      }
      state.charts[c.id].setData(data);
    }
    const primary = state.runs[state.run];
    const last = primary && primary.rows[primary.rows.length - 1];
    $('last').textContent = last
      ? 'step ' + last.step + ' · ' + last.stageType + ' · loss ' + fmt(last.loss) + ' · reward ' + fmt(last.rewardMean) +
        ' · accuracy ' + fmt(last.accuracy) + ' · ' + fmt(last.tokensPerSecond, 0) + ' tok/s' +
        (last.valueLoss === undefined ? '' : ' · value loss ' + fmt(last.valueLoss) + ' · explained variance ' + fmt(last.explainedVariance) + (last.criticWarmup ? ' (critic warm-up)' : ''))
      : 'no steps yet';
    showRuns();
  }

  function showStatus() {
    const s = state.status;
    if (!s) return;
    $('state').textContent = s.state;
    $('state').className = 'state ' + s.state;
    $('progress').textContent = s.step + ' / ' + s.totalSteps + ' steps · stage ' + s.stage + ' (' + s.stageType + ')' + (s.error ? ' · ' + s.error.code + ': ' + s.error.message : '');
  }

  /** The table of runs: a checkbox to overlay each one, its state, steps and eval accuracies. */
  function showRuns() {
    const body = $('runs');
    body.textContent = '';
    for (const id of Object.keys(state.runs)) {
      const r = state.runs[id];
      const tr = document.createElement('tr');
      const pick = document.createElement('td');
      const box = document.createElement('input');
      box.type = 'checkbox';
      box.className = 'run-pick';
      box.value = id;
      box.checked = state.selected.includes(id);
      box.addEventListener('change', () => select(box.checked ? state.selected.concat([id]) : state.selected.filter((x) => x !== id)));
      pick.appendChild(box);
      if (box.checked) {
        const sw = document.createElement('span');
        sw.className = 'swatch';
        sw.style.background = color(id);
        pick.appendChild(sw);
      }
      tr.appendChild(pick);
      const evals = r.evals.length ? r.evals : r.status.evals;
      for (const v of [id, r.status.name || '', r.status.state, r.status.step + ' / ' + r.status.totalSteps,
        evals.map((e) => e.name + ' ' + pct(e.accuracy)).join(' · ')]) {
        const td = document.createElement('td');
        td.textContent = String(v);
        tr.appendChild(td);
      }
      body.appendChild(tr);
    }
  }

  function showEvals() {
    const body = $('evals');
    body.textContent = '';
    for (const id of state.selected) {
      for (const e of state.runs[id].evals) {
        const tr = document.createElement('tr');
        for (const v of [label(id), e.name, e.step, e.split, e.count, fmt(e.accuracy), fmt(e.rewardMean), fmt(e.completionLengthMean, 1)]) {
          const td = document.createElement('td');
          td.textContent = String(v);
          tr.appendChild(td);
        }
        body.appendChild(tr);
      }
    }
  }

  let pending = false;
  function schedule() {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => { pending = false; redraw(); });
  }

  /** Keeps the primary run (the first picked) in the page's top-level fields. */
  function syncPrimary() {
    const r = state.runs[state.run];
    state.rows = r ? r.rows : [];
    state.evals = r ? r.evals : [];
    state.status = r ? r.status : null;
    state.ended = state.selected.every((id) => state.runs[id].ended);
    showStatus();
  }

  function follow(id) {
    const r = state.runs[id];
    if (r.source) return;
    const es = new EventSource('/v1/runs/' + encodeURIComponent(id) + '/events');
    r.source = es;
    es.addEventListener('status', (ev) => { r.status = JSON.parse(ev.data); syncPrimary(); showRuns(); });
    es.addEventListener('step', (ev) => {
      const row = JSON.parse(ev.data);
      if (r.rows.length && r.rows[r.rows.length - 1].step >= row.step) return;
      r.rows.push(row);
      schedule();
    });
    es.addEventListener('eval', (ev) => {
      const rec = JSON.parse(ev.data);
      if (!r.evals.some((e) => e.stage === rec.stage)) r.evals.push(rec);
      showEvals();
      showRuns();
    });
    es.addEventListener('end', () => { r.ended = true; es.close(); syncPrimary(); redraw(); });
  }

  /** Draws the given runs over each other and puts them in the address (?runs=a,b). */
  function select(ids) {
    state.selected = ids.filter((id, i) => state.runs[id] && ids.indexOf(id) === i);
    state.run = state.selected[0] || null;
    const q = state.selected.length ? '?runs=' + state.selected.map(encodeURIComponent).join(',') : location.pathname;
    history.replaceState(null, '', q);
    makeCharts();
    for (const id of state.selected) follow(id);
    syncPrimary();
    showEvals();
    redraw();
  }

  async function main() {
    const res = await fetch('/v1/runs');
    const runs = (await res.json()).runs || [];
    for (const s of runs) state.runs[s.id] = { status: s, rows: [], evals: [], ended: false, source: null };
    const q = new URLSearchParams(location.search);
    const wanted = (q.get('runs') || q.get('run') || '').split(',').filter((id) => state.runs[id]);
    if (!runs.length) { makeCharts(); $('progress').textContent = 'no runs yet: POST /v1/runs, then reload'; return; }
    select(wanted.length ? wanted : [runs[runs.length - 1].id]);
  }
  main().catch((err) => { $('progress').textContent = 'error: ' + err.message; });
})();
`;
