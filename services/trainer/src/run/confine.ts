import { existsSync } from 'node:fs';
import path from 'node:path';
import type { RunConfig } from '@grpo/contracts';
import {
  FieldError,
  PATH_OUTSIDE_ROOTS,
  type PathRoots,
  realpathLoose,
  resolveInRoots,
} from '@grpo/service-kit';
import { BAD_RUN_CONFIG, TrainerError } from '../errors.js';

/**
 * The folders a request may name paths in (issue #20): run directories and `resume` under
 * `runsDir`; data files under `dataRoots`; a model folder under `modelRoots` or `runsDir` (an
 * earlier run's checkpoint). All absolute, resolved against the trainer's working directory.
 */
export interface RunRoots {
  runsDir: string;
  dataRoots: readonly string[];
  modelRoots: readonly string[];
}

const RUNS_SETTING = 'GRPO_TRAINER_RUNS_DIR (--runs-dir)';
const DATA_SETTING = 'GRPO_TRAINER_DATA_ROOT (--data-root)';
const MODEL_SETTING = 'GRPO_TRAINER_MODEL_ROOT (--model-root) or GRPO_TRAINER_RUNS_DIR';

const runsRoots = (r: RunRoots): PathRoots => ({ dirs: [r.runsDir], setting: RUNS_SETTING });

/**
 * A run directory from a request (`runDir`, `resume`): strictly below the runs directory, so a
 * run can neither write next to it nor take it over. Returns the real path.
 */
export function confineRunDir(p: string, roots: RunRoots, field: string): string {
  const real = resolveInRoots(p, runsRoots(roots), field);
  if (real === realpathLoose(path.resolve(roots.runsDir))) {
    throw new FieldError(
      PATH_OUTSIDE_ROOTS,
      403,
      field,
      `${field} must be a folder below the runs directory, not the runs directory itself`,
    );
  }
  return real;
}

/**
 * The config with every server path it names resolved (symlinks included) inside its roots:
 * `data.path`, `data.evalPath`, `data.rlPath`, a model folder, `runDir`. A path outside is a
 * 403 GRPO_PATH_OUTSIDE_ROOTS naming the field, before anything is read or created.
 */
export function confineRunConfig(config: RunConfig, roots: RunRoots): RunConfig {
  const out: RunConfig = { ...config };
  if ('path' in config.data) {
    const d = { ...config.data };
    const data: PathRoots = { dirs: roots.dataRoots, setting: DATA_SETTING };
    d.path = resolveInRoots(d.path, data, 'data.path');
    if (d.evalPath !== undefined) d.evalPath = resolveInRoots(d.evalPath, data, 'data.evalPath');
    if (d.rlPath !== undefined) d.rlPath = resolveInRoots(d.rlPath, data, 'data.rlPath');
    out.data = d;
  }
  const models: PathRoots = { dirs: [...roots.modelRoots, roots.runsDir], setting: MODEL_SETTING };
  if (typeof config.model === 'string') out.model = resolveInRoots(config.model, models, 'model');
  out.stages = config.stages.map((s, i) =>
    confineCriticInit(s, models, `stages[${i}].algorithm.overrides.critic.init`),
  );
  if (config.runDir !== undefined) out.runDir = confineRunDir(config.runDir, roots, 'runDir');
  return out;
}

type Stage = RunConfig['stages'][number];

/**
 * A PPO stage's critic checkpoint (`algorithm.overrides.critic.init`) is a model folder: it is
 * resolved inside the model roots like `model`, and only then checked for a config.json, so a
 * request cannot probe folders elsewhere.
 */
function confineCriticInit(stage: Stage, models: PathRoots, field: string): Stage {
  if (stage.type !== 'grpo' || !stage.algorithm?.overrides) return stage;
  const critic = stage.algorithm.overrides.critic as { init?: unknown } | undefined;
  if (critic === null || typeof critic !== 'object' || typeof critic.init !== 'string' || critic.init === '')
    return stage;
  const init = resolveInRoots(critic.init, models, field);
  if (!existsSync(path.join(init, 'config.json')))
    throw new TrainerError(BAD_RUN_CONFIG, field, `no config.json in the critic folder named by ${field}`);
  const overrides = { ...stage.algorithm.overrides, critic: { ...critic, init } };
  return { ...stage, algorithm: { ...stage.algorithm, overrides } };
}
