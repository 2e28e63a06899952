import fs from 'node:fs/promises';
import path from 'node:path';
import { type ModelConfig, savePolicy, type TensorMap, writeSafetensors } from '@grpo/model';
import { exists, writeFileAtomic } from './atomic.js';
import type { StepRunner } from './step.js';

/** Files of a model folder that are not weights and are copied into every saved folder. */
const SIDE_FILES = [
  'tokenizer.json',
  'tokenizer_config.json',
  'generation_config.json',
  'chat_template.jinja',
];
export const CHECKPOINTS_DIR = 'checkpoints';
export const LATEST_FILE = 'latest.json';
export const STATE_FILE = 'trainer_state.json';
/** The stage's starting weights (the KL reference), in mid-GRPO checkpoints. */
export const REFERENCE_FILE = 'reference.safetensors';
/** The next step's first sampling round, requested before this checkpoint's update (overlapRollout). */
export const PENDING_ROLLOUT_FILE = 'pending_rollout.json';

/** Where the loop stands, saved with every checkpoint (trainer_state.json). */
export interface TrainerState {
  format: 1;
  /** Global optimizer steps done. */
  step: number;
  /** The stage to run next or continue. */
  stage: number;
  /** Steps of that stage done (0: it starts fresh, with a new optimizer). */
  stageStep: number;
  /** Which optimizer state optimizer.safetensors holds; null when the next step starts a stage. */
  optimizer: 'sft' | 'grpo' | null;
  seed: number;
  /** Position in the stage's data order (derived from the step; recorded for readers). */
  dataCursor: { epoch: number; offset: number };
  time: string;
}

/** Writes a Hugging Face folder of `tensors` with the base model's tokenizer files. */
export async function saveModelFolder(
  dir: string,
  config: ModelConfig,
  tensors: TensorMap,
  baseModelDir: string,
): Promise<void> {
  await savePolicy(dir, { config, tensors });
  for (const f of SIDE_FILES) {
    const src = path.join(baseModelDir, f);
    if (await exists(src)) await fs.copyFile(src, path.join(dir, f));
  }
}

export interface SaveCheckpointInput {
  runDir: string;
  state: TrainerState;
  config: ModelConfig;
  baseModelDir: string;
  runner: StepRunner;
  keep: number;
  /** More files for the folder, by name (written with it; replaced on a second save at the step). */
  extraFiles?: Record<string, string>;
}

const stepDir = (step: number) => `step-${step}`;

/**
 * Saves `checkpoints/step-N/` (HF folder + optimizer state + trainer_state.json), then points
 * `checkpoints/latest.json` at it. Each piece becomes visible atomically: the folder is built
 * under a temp name and renamed; latest.json is written to a temp file and renamed. A second
 * save at the same step (a stage boundary without a step) only replaces trainer_state.json:
 * the weights have not changed.
 */
export async function saveCheckpoint(i: SaveCheckpointInput): Promise<string> {
  const root = path.join(i.runDir, CHECKPOINTS_DIR);
  await fs.mkdir(root, { recursive: true });
  const name = stepDir(i.state.step);
  const final = path.join(root, name);
  const stateJson = `${JSON.stringify(i.state, null, 2)}\n`;
  const extra = Object.entries(i.extraFiles ?? {});
  if (await exists(path.join(final, STATE_FILE))) {
    for (const [name, text] of extra) await writeFileAtomic(path.join(final, name), text);
    await writeFileAtomic(path.join(final, STATE_FILE), stateJson);
  } else {
    const tmp = path.join(root, `.tmp-${name}`);
    await fs.rm(tmp, { recursive: true, force: true });
    await fs.rm(final, { recursive: true, force: true });
    try {
      await saveModelFolder(tmp, i.config, i.runner.tensors(), i.baseModelDir);
      if (i.state.optimizer) await i.runner.saveOptimizer(tmp);
      // A resumed RL stage needs its KL reference: the weights the stage started from.
      if (i.state.optimizer === 'grpo')
        await writeSafetensors(path.join(tmp, REFERENCE_FILE), i.runner.reference());
      for (const [name, text] of extra) await fs.writeFile(path.join(tmp, name), text);
      await fs.writeFile(path.join(tmp, STATE_FILE), stateJson);
    } catch (err) {
      // A half-written folder (the disk filled up) would only hold on to the space it took.
      await fs.rm(tmp, { recursive: true, force: true });
      throw err;
    }
    await fs.rename(tmp, final);
  }
  await writeFileAtomic(
    path.join(root, LATEST_FILE),
    `${JSON.stringify({ step: i.state.step, dir: name })}\n`,
  );
  await pruneCheckpoints(root, i.keep, name);
  return final;
}

async function pruneCheckpoints(root: string, keep: number, latest: string): Promise<void> {
  const steps = (await fs.readdir(root))
    .map((n) => /^step-(\d+)$/.exec(n))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
  for (const s of steps.slice(0, Math.max(0, steps.length - keep))) {
    if (stepDir(s) !== latest) await fs.rm(path.join(root, stepDir(s)), { recursive: true, force: true });
  }
}

export interface LoadedCheckpoint {
  dir: string;
  state: TrainerState;
}

/**
 * The checkpoint to resume from: the one latest.json names, or (if latest.json is missing or
 * points at a folder that is gone) the highest complete step-N folder. Null when there is none.
 */
export async function loadLatestCheckpoint(runDir: string): Promise<LoadedCheckpoint | null> {
  return (await listCheckpoints(runDir))[0] ?? null;
}

/**
 * Every checkpoint with a readable trainer_state.json, newest first (the one latest.json names
 * leads). The loop falls back along it when a newer one's weights turn out truncated.
 */
export async function listCheckpoints(runDir: string): Promise<LoadedCheckpoint[]> {
  const root = path.join(runDir, CHECKPOINTS_DIR);
  const candidates: string[] = [];
  try {
    const latest = JSON.parse(await fs.readFile(path.join(root, LATEST_FILE), 'utf8')) as { dir?: string };
    if (typeof latest.dir === 'string') candidates.push(latest.dir);
  } catch {}
  if (await exists(root)) {
    const steps = (await fs.readdir(root))
      .map((n) => /^step-(\d+)$/.exec(n))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => Number(m[1]))
      .sort((a, b) => b - a);
    candidates.push(...steps.map(stepDir));
  }
  const out: LoadedCheckpoint[] = [];
  for (const name of new Set(candidates)) {
    const dir = path.join(root, name);
    try {
      const state = JSON.parse(await fs.readFile(path.join(dir, STATE_FILE), 'utf8')) as TrainerState;
      if (state.format === 1) out.push({ dir, state });
    } catch {}
  }
  return out;
}
