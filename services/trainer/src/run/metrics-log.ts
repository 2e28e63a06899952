import fs from 'node:fs/promises';
import path from 'node:path';
import type { EvalRecord, MetricRow } from '@grpo/contracts';
import { exists, writeFileAtomic } from './atomic.js';

export const METRICS_FILE = 'metrics.jsonl';
export const EVALS_FILE = 'evals.jsonl';

/** Parses JSONL, dropping a torn last line (a process killed mid-append) but nothing else. */
function parseLines<T>(text: string, file: string): T[] {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const out: T[] = [];
  lines.forEach((line, i) => {
    try {
      out.push(JSON.parse(line) as T);
    } catch (err) {
      if (i < lines.length - 1) throw new Error(`${file}:${i + 1}: ${(err as Error).message}`);
    }
  });
  return out;
}

/**
 * metrics.jsonl (one row per optimizer step) and evals.jsonl (one record per eval stage) of a
 * run directory. Rows are appended as steps finish; on resume the rows past the checkpoint are
 * cut, so the file holds each step exactly once.
 */
export class MetricsLog {
  readonly rows: MetricRow[] = [];
  readonly evals: EvalRecord[] = [];
  private constructor(readonly dir: string) {}

  /** A log with nothing in it yet (a run whose loop has not opened its files). */
  static empty(dir: string): MetricsLog {
    return new MetricsLog(dir);
  }

  static async open(dir: string): Promise<MetricsLog> {
    const log = new MetricsLog(dir);
    for (const [file, into] of [
      [METRICS_FILE, log.rows],
      [EVALS_FILE, log.evals],
    ] as const) {
      const p = path.join(dir, file);
      if (await exists(p)) (into as unknown[]).push(...parseLines(await fs.readFile(p, 'utf8'), p));
    }
    return log;
  }

  /** Keeps the rows of steps <= step and the evals of stages before `stage`; rewrites both files atomically. */
  async truncate(step: number, stage: number): Promise<void> {
    const rows = this.rows.filter((r) => r.step <= step);
    const evals = this.evals.filter((e) => e.stage < stage);
    this.rows.splice(0, this.rows.length, ...rows);
    this.evals.splice(0, this.evals.length, ...evals);
    const lines = (xs: unknown[]) => xs.map((x) => `${JSON.stringify(x)}\n`).join('');
    await writeFileAtomic(path.join(this.dir, METRICS_FILE), lines(rows));
    await writeFileAtomic(path.join(this.dir, EVALS_FILE), lines(evals));
  }

  async append(row: MetricRow): Promise<void> {
    this.rows.push(row);
    await fs.appendFile(path.join(this.dir, METRICS_FILE), `${JSON.stringify(row)}\n`);
  }

  async appendEval(rec: EvalRecord): Promise<void> {
    this.evals.push(rec);
    await fs.appendFile(path.join(this.dir, EVALS_FILE), `${JSON.stringify(rec)}\n`);
  }

  since(step: number, limit: number): MetricRow[] {
    const out: MetricRow[] = [];
    for (const r of this.rows) {
      if (r.step > step) out.push(r);
      if (out.length >= limit) break;
    }
    return out;
  }
}
