import { existsSync } from 'node:fs';
import path from 'node:path';
import type { RunConfig } from '@grpo/contracts';
import {
  FieldError,
  isLoopbackHost,
  PATH_OUTSIDE_ROOTS,
  type PathRoots,
  realpathLoose,
  resolveInRoots,
} from '@grpo/service-kit';
import { BAD_RUN_CONFIG, SERVICE_URL_NOT_ALLOWED, TrainerError } from '../errors.js';

/**
 * The folders a request may name paths in (issue #20): run directories and `resume` under
 * `runsDir`; data files under `dataRoots`; a model folder under `modelRoots` or `runsDir` (an
 * earlier run's checkpoint). All absolute, resolved against the trainer's working directory.
 */
export interface RunRoots {
  runsDir: string;
  dataRoots: readonly string[];
  modelRoots: readonly string[];
  /**
   * Origins `rolloutUrl` and `rewardUrl` may name (parseServiceOrigins): none means loopback
   * hosts only, `*` any origin.
   */
  serviceOrigins?: readonly string[];
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
  const origins = roots.serviceOrigins ?? [];
  if (config.rolloutUrl !== undefined) confineServiceUrl(config.rolloutUrl, origins, 'rolloutUrl');
  if (config.rewardUrl !== undefined) confineServiceUrl(config.rewardUrl, origins, 'rewardUrl');
  return out;
}

const ORIGINS_SETTING = 'GRPO_TRAINER_SERVICE_ORIGINS (--service-origins)';

/** Why a string is not a URL the trainer may send a key to. */
type UrlFault = 'not a URL' | 'not http(s)' | 'credentials';

/** `s` as a URL with an http(s) scheme and no credentials, or what is wrong with it. */
function httpUrl(s: string): URL | UrlFault {
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    return 'not a URL';
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return 'not http(s)';
  return u.username || u.password ? 'credentials' : u;
}

/**
 * The trainer's serviceOrigins setting as origins (`https://host:port`, default ports dropped,
 * as URL.origin writes them), or `*`. Throws a message naming the bad entry: only http(s)
 * origins, with no path, query or credentials.
 */
export function parseServiceOrigins(list: string): string[] {
  const out: string[] = [];
  for (const entry of list.split(',').map((e) => e.trim())) {
    if (!entry) continue;
    if (entry === '*') {
      out.push('*');
      continue;
    }
    const u = httpUrl(entry);
    if (u === 'not a URL') throw new Error(`"${entry}" is not an origin (http[s]://host[:port])`);
    if (typeof u === 'string')
      throw new Error(`"${entry}" is not an http or https origin without credentials`);
    if (u.pathname !== '/' || u.search || u.hash)
      throw new Error(`"${entry}" has a path, query or fragment; an origin is http[s]://host[:port] only`);
    out.push(u.origin);
  }
  return out;
}

/**
 * A service URL from a request (`rolloutUrl`, `rewardUrl`): the trainer calls it with its API
 * keys, so it must be http(s), carry no credentials, and its origin must be one the operator
 * allows (loopback hosts when `origins` is empty; any when it holds `*`). 400 for a URL that is
 * not one, 403 GRPO_TRAINER_SERVICE_URL_NOT_ALLOWED for an origin not allowed.
 */
export function confineServiceUrl(url: string, origins: readonly string[], field: string): void {
  const u = httpUrl(url);
  if (typeof u === 'string') {
    const why: Record<UrlFault, string> = {
      'not a URL': `${field} is not a URL`,
      'not http(s)': `${field} must be an http or https URL`,
      credentials: `${field} must not carry credentials; the trainer's operator sets the service keys (GRPO_TRAINER_ROLLOUT_API_KEY, GRPO_TRAINER_REWARD_API_KEY)`,
    };
    throw new TrainerError(BAD_RUN_CONFIG, field, why[u]);
  }
  if (origins.includes('*')) return;
  if (origins.length ? origins.includes(u.origin) : isLoopbackHost(u.hostname)) return;
  throw new FieldError(
    SERVICE_URL_NOT_ALLOWED,
    403,
    field,
    origins.length
      ? `${field}: ${u.origin} is not among the service origins this trainer allows (${ORIGINS_SETTING})`
      : `${field}: ${u.origin} is not on this machine; this trainer allows loopback service URLs only unless ${ORIGINS_SETTING} lists more`,
  );
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
