import type { EvalRecord, MetricRow, RunStatus } from '@grpo/contracts';

const BAR = 24;

function num(x: number | null | undefined, digits = 3): string {
  return x === null || x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(digits);
}

/** `[████████░░░░]`: `done` of `total` as a bar of BAR cells. */
export function bar(done: number, total: number): string {
  const filled = total > 0 ? Math.min(BAR, Math.round((done / total) * BAR)) : 0;
  return `${'█'.repeat(filled)}${'░'.repeat(BAR - filled)}`;
}

/** One progress line for a step row: stage, bar, step counts and the live metrics of the step. */
export function stepLine(row: MetricRow, stageSteps: number, stageName: string): string {
  const parts = [`${stageName.padEnd(12)} ${bar(row.stageStep, stageSteps)} ${row.stageStep}/${stageSteps}`];
  parts.push(`loss ${num(row.loss)}`);
  if (row.rewardMean !== null) parts.push(`reward ${num(row.rewardMean)}`);
  if (row.accuracy !== null) parts.push(`acc ${num(row.accuracy)}`);
  if (row.kl !== null) parts.push(`kl ${num(row.kl, 4)}`);
  if (row.completionLengthMean !== null) parts.push(`len ${num(row.completionLengthMean, 0)}`);
  parts.push(`${num(row.tokensPerSecond, 0)} tok/s`);
  return parts.join('  ');
}

export function evalLine(e: EvalRecord): string {
  return `eval ${e.name} @ step ${e.step}: accuracy ${num(e.accuracy)} (${e.count} ${e.split} examples), reward ${num(e.rewardMean)}, length ${num(e.completionLengthMean, 0)}`;
}

/**
 * Terminal progress for a run's event stream. On a TTY the current stage's line is redrawn
 * in place (carriage return + erase line); elsewhere (CI logs, pipes) a line is printed every
 * `every` steps and at each stage's last step, so logs stay short.
 */
export class ProgressView {
  private open = false;
  private stageSteps = 0;
  private stageName = '';

  constructor(
    private readonly out: NodeJS.WritableStream & { isTTY?: boolean },
    private readonly every = 10,
  ) {}

  private print(line: string): void {
    if (this.open) this.out.write('\n');
    this.open = false;
    this.out.write(`${line}\n`);
  }

  stage(name: string, type: string, steps: number): void {
    this.stageSteps = steps;
    this.stageName = name;
    this.print(`stage ${name} (${type}${type === 'eval' ? '' : `, ${steps} steps`})`);
  }

  step(row: MetricRow): void {
    const line = stepLine(row, this.stageSteps, this.stageName);
    if (this.out.isTTY) {
      this.out.write(`\r\x1b[2K${line}`);
      this.open = true;
    } else if (row.stageStep % this.every === 0 || row.stageStep === this.stageSteps || row.stageStep === 1) {
      this.out.write(`${line}\n`);
    }
  }

  eval(e: EvalRecord): void {
    this.print(evalLine(e));
  }

  status(s: RunStatus): void {
    if (s.state === 'failed')
      this.print(`run ${s.id} failed: ${s.error?.code ?? ''} ${s.error?.message ?? ''}`);
  }

  end(): void {
    if (this.open) this.out.write('\n');
    this.open = false;
  }
}
