/**
 * Redraws a run directory's plot.svg (or writes it elsewhere), e.g. for a README:
 *
 *   node --conditions=source --import tsx services/trainer/bench/plot-run.ts runs/<id> [out.svg]
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { MetricsLog, runPlotSvg } from '../src/index.js';

const [runDir, out] = process.argv.slice(2);
if (!runDir) {
  console.error('usage: plot-run.ts <runDir> [out.svg]');
  process.exit(2);
}
const log = await MetricsLog.open(runDir);
const meta = JSON.parse(await fs.readFile(path.join(runDir, 'config.json'), 'utf8')) as { name?: string };
const file = out ?? path.join(runDir, 'plot.svg');
const last = log.rows[log.rows.length - 1]?.step ?? 0;
await fs.writeFile(
  file,
  runPlotSvg(log.rows, log.evals, `${meta.name ?? path.basename(runDir)}: ${last} steps`),
);
console.log(`wrote ${file}`);
