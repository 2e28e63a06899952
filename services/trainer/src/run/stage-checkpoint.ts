import fs from 'node:fs/promises';
import path from 'node:path';
import type { RunConfig, StageCheckpoint } from '@grpo/contracts';
import type { ModelConfig, TensorMap } from '@grpo/model';
import { exists } from './atomic.js';
import { CHECKPOINTS_DIR, saveModelFolder } from './checkpoint.js';

/** Written into every stage folder: which stage and step its weights are from. */
export const STAGE_FILE = 'stage.json';

/** A folder name that is safe on every filesystem and cannot be taken for a `step-N` checkpoint. */
const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

const defaultName = (config: RunConfig, i: number) => {
  const s = config.stages[i];
  return s?.name ?? `${i}-${s?.type ?? 'stage'}`;
};

/**
 * The folder (under `checkpoints/`) that keeps the last weights of stage `i`: the stage name
 * (`checkpoints/sft`) when it is a safe folder name, not `step-N`, and no other stage has it;
 * otherwise `stage-<i>`.
 */
export function stageCheckpointName(config: RunConfig, i: number): string {
  const name = defaultName(config, i);
  const clash = config.stages.some((_, j) => j !== i && defaultName(config, j) === name);
  if (!SAFE_NAME.test(name) || /^step-\d+$/.test(name) || /^stage-\d+$/.test(name) || clash)
    return `stage-${i}`;
  return name;
}

export interface SaveStageCheckpointInput {
  runDir: string;
  config: RunConfig;
  stage: number;
  step: number;
  modelConfig: ModelConfig;
  tensors: TensorMap;
  baseModelDir: string;
}

/**
 * Writes `checkpoints/<stage name>/`: a Hugging Face folder of the weights at the end of a
 * training stage, plus `stage.json`. It is built under a temp name and renamed, and the
 * `step-N` pruning never touches it, so every stage's final policy stays servable
 * (`grpo serve rollout --model <path>`).
 */
export async function saveStageCheckpoint(i: SaveStageCheckpointInput): Promise<StageCheckpoint> {
  const root = path.join(i.runDir, CHECKPOINTS_DIR);
  const dirName = stageCheckpointName(i.config, i.stage);
  const final = path.join(root, dirName);
  const tmp = path.join(root, `.tmp-${dirName}`);
  await fs.mkdir(root, { recursive: true });
  await fs.rm(tmp, { recursive: true, force: true });
  await saveModelFolder(tmp, i.modelConfig, i.tensors, i.baseModelDir);
  const rec: StageCheckpoint = {
    stage: i.stage,
    name: defaultName(i.config, i.stage),
    step: i.step,
    path: final,
  };
  await fs.writeFile(path.join(tmp, STAGE_FILE), `${JSON.stringify(rec, null, 2)}\n`);
  await fs.rm(final, { recursive: true, force: true });
  await fs.rename(tmp, final);
  return rec;
}

/**
 * The stage folders of a run directory, in stage order. With `beforeStage`, the folders of that
 * stage and later ones are deleted first: on resume they belong to steps that will run again.
 */
export async function listStageCheckpoints(
  runDir: string,
  config: RunConfig,
  beforeStage = Number.POSITIVE_INFINITY,
): Promise<StageCheckpoint[]> {
  const root = path.join(runDir, CHECKPOINTS_DIR);
  const out: StageCheckpoint[] = [];
  for (let i = 0; i < config.stages.length; i++) {
    const dir = path.join(root, stageCheckpointName(config, i));
    const file = path.join(dir, STAGE_FILE);
    if (!(await exists(file))) continue;
    if (i >= beforeStage) {
      await fs.rm(dir, { recursive: true, force: true });
      continue;
    }
    try {
      const rec = JSON.parse(await fs.readFile(file, 'utf8')) as StageCheckpoint;
      if (rec.stage === i) out.push({ ...rec, path: dir });
    } catch {
      // A torn stage.json: the folder was never renamed into place complete; skip it.
    }
  }
  return out;
}
