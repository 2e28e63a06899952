/** The dashboard page (GET /dashboard). uPlot and its CSS come from the trainer itself, never a CDN. */
export const DASHBOARD_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>GRPO Stack · trainer dashboard</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/dashboard/uplot.min.css">
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 16px 24px; color: #0f172a; background: #f8fafc; }
  header { display: flex; gap: 16px; align-items: baseline; flex-wrap: wrap; }
  h1 { font-size: 18px; margin: 0; }
  .state { font-weight: 600; padding: 2px 8px; border-radius: 4px; background: #e2e8f0; }
  .state.running { background: #dbeafe; } .state.completed { background: #dcfce7; }
  .state.failed { background: #fee2e2; } .state.stopped, .state.stopping { background: #fef9c3; }
  #charts { display: flex; flex-wrap: wrap; gap: 16px; margin-top: 16px; }
  .chart { background: white; border: 1px solid #e2e8f0; border-radius: 6px; padding: 8px; }
  table { border-collapse: collapse; margin-top: 16px; background: white; }
  th, td { border: 1px solid #e2e8f0; padding: 4px 10px; text-align: right; }
  th:first-child, td:first-child, #runs td { text-align: left; }
  #last { color: #475569; margin-top: 8px; }
  h2 { font-size: 16px; }
  .swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-left: 6px; }
</style>
</head>
<body>
<header>
  <h1>GRPO Stack trainer</h1>
  <span id="state" class="state">…</span>
  <span id="progress"></span>
</header>
<div id="last"></div>
<h2>Runs <small>(tick several to draw them over each other)</small></h2>
<table>
  <thead><tr><th>draw</th><th>id</th><th>name</th><th>state</th><th>steps</th><th>evals</th></tr></thead>
  <tbody id="runs"></tbody>
</table>
<div id="charts"></div>
<h2>Evaluations</h2>
<table>
  <thead><tr><th>run</th><th>stage</th><th>step</th><th>split</th><th>n</th><th>accuracy</th><th>reward</th><th>length</th></tr></thead>
  <tbody id="evals"></tbody>
</table>
<script src="/dashboard/uplot.iife.min.js"></script>
<script src="/dashboard/app.js"></script>
</body>
</html>
`;
