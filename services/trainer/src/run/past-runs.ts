import fs from 'node:fs/promises';
import path from 'node:path';
import type { RunConfig, RunState, RunStatus } from '@grpo/contracts';
import { writeFileAtomic } from './atomic.js';
import { totalSteps } from './loop.js';
import { MetricsLog } from './metrics-log.js';
import { listStageCheckpoints } from './stage-checkpoint.js';

/** The run's status, rewritten at every state change and stage end: what a later trainer lists. */
export const STATUS_FILE = 'status.json';

const ACTIVE_STATES: readonly RunState[] = ['queued', 'running', 'stopping'];

/**
 * Writes status.json after the previous write. A failed write (e.g. a full disk) does not fail
 * the run; the next state change writes the whole status again.
 */
export function saveStatus(previous: Promise<void>, status: RunStatus): Promise<void> {
  const text = `${JSON.stringify(status)}\n`;
  return previous.then(() => writeFileAtomic(path.join(status.runDir, STATUS_FILE), text)).catch(() => {});
}

/**
 * The status of a run found on disk: its status.json when that holds a final state; otherwise
 * (no status.json, or an active state there: the process died mid-run) a status rebuilt from
 * run.json, the metrics and the stage folders: `stopped` unless every step and eval is done
 * (`completed`).
 */
export async function readPastStatus(
  runDir: string,
  config: RunConfig,
  meta: { id?: string; createdAt?: string } | null,
): Promise<RunStatus> {
  let saved: RunStatus | null = null;
  try {
    saved = JSON.parse(await fs.readFile(path.join(runDir, STATUS_FILE), 'utf8')) as RunStatus;
  } catch {}
  if (saved && !ACTIVE_STATES.includes(saved.state))
    return { ...saved, runDir, checkpoints: saved.checkpoints ?? [] };
  if (saved) {
    // The process died mid-run: status.json is from its last state change; the files go further.
    const rebuilt = await rebuildStatus(runDir, config, meta);
    return {
      ...rebuilt,
      id: saved.id,
      createdAt: saved.createdAt,
      ...(saved.name ? { name: saved.name } : {}),
    };
  }
  return rebuildStatus(runDir, config, meta);
}

/** A status from run.json, the metrics and the stage folders. */
async function rebuildStatus(
  runDir: string,
  config: RunConfig,
  meta: { id?: string; createdAt?: string } | null,
): Promise<RunStatus> {
  const log = await MetricsLog.open(runDir);
  const last = log.rows[log.rows.length - 1];
  const total = totalSteps(config);
  const evalStages = config.stages.filter((s) => s.type === 'eval').length;
  const done = (last?.step ?? 0) >= total && log.evals.length >= evalStages;
  const stage = last?.stage ?? 0;
  const spec = config.stages[stage];
  const createdAt = meta?.createdAt ?? (await fs.stat(runDir)).mtime.toISOString();
  return {
    id: meta?.id ?? path.basename(runDir),
    ...(config.name ? { name: config.name } : {}),
    state: done ? 'completed' : 'stopped',
    runDir,
    step: last?.step ?? 0,
    totalSteps: total,
    stage,
    stageType: spec?.type ?? 'sft',
    stageStep: last?.stageStep ?? 0,
    stageSteps: spec && spec.type !== 'eval' ? spec.steps : 0,
    createdAt,
    updatedAt: createdAt,
    ...(last ? { last } : {}),
    evals: [...log.evals],
    checkpoints: await listStageCheckpoints(runDir, config),
  };
}
