import { parseArgs } from 'node:util';

/** Thrown for bad command lines; the CLI prints the message and usage, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export const USAGE = `grpo: GRPO Stack command line

Usage:
  grpo serve reward [--host H] [--port N] [--workers N] [--log-level L] [--allow-open]
  grpo serve rollout [--model DIR] [--model-root DIRS] [--engine onnx|openai] [--execution-provider cpu|webgpu|cuda] [--upstream URL ...] [--host H] [--port N]
  grpo serve trainer [--runs-dir DIR] [--data-root DIRS] [--model-root DIRS] [--service-origins ORIGINS] [--resume RUN_DIR] [--execution-provider cpu|webgpu|cuda] [--host H] [--port N]
  grpo keys [--out DIR]
  grpo train <config.json> [--trainer URL]      grpo train --resume RUN_DIR [--trainer URL]
  grpo quickstart [--runs-dir DIR] [--seed N] [--sft-steps N]
  grpo --help | grpo serve --help

Commands:
  serve reward   run the reward service until SIGINT/SIGTERM (graceful shutdown)
  serve rollout  run the rollout service (no --model: the tiny built-in policy)
  serve trainer  run the trainer service (runs over REST, dashboard at /dashboard)
  train          submit a run config to a running trainer and follow it with live progress
  quickstart     the built-in recipe: all three services on loopback, SFT then GRPO on arithmetic
  keys           write fresh API keys: DIR/{reward,rollout,trainer}.env (default .keys, mode 0600),
                 read by docker-compose.yml and by \`kubectl create secret --from-env-file\`

Options of every serve command:
  --allow-open     start without API keys on a non-loopback --host (refused otherwise)   GRPO_<SERVICE>_ALLOW_OPEN

Options of serve reward (each also settable by env var; flags win):
  --host H         interface to listen on           GRPO_REWARD_HOST       (default 127.0.0.1)
  --port N         port, 0 = any free port          GRPO_REWARD_PORT       (default 8001)
  --workers N      scoring worker threads, 0 = one per core   GRPO_REWARD_WORKERS (default 0)
  --log-level L    fatal|error|warn|info|debug|trace|silent   GRPO_REWARD_LOG_LEVEL (default info)
Other limits (GRPO_REWARD_MAX_ITEMS, ..._ITEM_TIMEOUT_MS, ...) are listed in services/reward/README.md.

Options of serve rollout (port default 8002, env prefix GRPO_ROLLOUT_):
  --model DIR      HF checkpoint folder (onnx: the policy; openai: the tokenizer)   GRPO_ROLLOUT_MODEL
  --engine E       onnx (embedded, default) or openai (forward to upstreams)        GRPO_ROLLOUT_ENGINE
  --upstream URL   an OpenAI-compatible server (vLLM, SGLang); repeat for several   GRPO_ROLLOUT_UPSTREAMS (JSON array)
  --model-root D   folders PUT /v1/policy may load from, comma-separated            GRPO_ROLLOUT_MODEL_ROOT (default models,runs)
  --execution-provider EP   onnx engine: cpu (default), webgpu (libvulkan1 + a Vulkan driver) or cuda   GRPO_ROLLOUT_EXECUTION_PROVIDER
Other limits (GRPO_ROLLOUT_MAX_GROUP_SIZE, ..._MAX_NEW_TOKENS, ...) are listed in services/rollout/README.md.

Options of serve trainer (port default 8003, env prefix GRPO_TRAINER_):
  --runs-dir DIR   run directories go under DIR/<id>                  GRPO_TRAINER_RUNS_DIR (default runs)
  --resume DIR     resume the run in DIR from its last checkpoint     GRPO_TRAINER_RESUME
  --data-root D    folders run configs may read data from (comma-separated)   GRPO_TRAINER_DATA_ROOT (default data)
  --model-root D   folders a run config's model may be in (and the runs dir) GRPO_TRAINER_MODEL_ROOT (default models)
  --service-origins O  origins run configs may name as rolloutUrl/rewardUrl (comma-separated,
                   e.g. http://rollout:8002; * any); the trainer sends its service keys there
                                                                      GRPO_TRAINER_SERVICE_ORIGINS (default: loopback only)
  --execution-provider EP   train steps and scoring: cpu (default), webgpu or cuda; a run config's
                   executionProvider wins                              GRPO_TRAINER_EXECUTION_PROVIDER

Options of quickstart:
  --runs-dir DIR   where the run directory goes (default runs)
  --seed N         the run seed: data order and sampling (default 1)
  --sft-steps N    most steps of the SFT cold start, the span of its cosine schedule; it stops
                   earlier once it solves 30% of its checks (default 1600)

Options of train:
  --trainer URL    the trainer service                                GRPO_TRAINER_URL (default http://127.0.0.1:8003)
  --resume DIR     continue the run in DIR instead of submitting a config
  The trainer's API key, when it has keys, is read from GRPO_API_KEY.
The run config (model, data, rewards, stages, rolloutUrl, rewardUrl, ...) is documented in services/trainer/README.md.
`;

export interface ServeCommand {
  command: 'serve';
  service: string;
  overrides: Record<string, unknown>;
}
export interface TrainCommand {
  command: 'train';
  /** Path of a run config file, or undefined with `resume`. */
  config?: string;
  resume?: string;
  trainerUrl: string;
}
export interface KeysCommand {
  command: 'keys';
  out?: string;
}
export interface QuickstartCommand {
  command: 'quickstart';
  runsDir?: string;
  seed?: number;
  sftSteps?: number;
}
export type Command = ServeCommand | TrainCommand | QuickstartCommand | KeysCommand | { command: 'help' };

export const DEFAULT_TRAINER_URL = 'http://127.0.0.1:8003';

function parseTrain(
  values: ReturnType<typeof parse>['values'],
  args: readonly string[],
  env: Record<string, string | undefined>,
): TrainCommand {
  if (args.length > 1) throw new UsageError(`unexpected argument "${args[1]}"`);
  const config = args[0];
  if (config === undefined && values.resume === undefined) {
    throw new UsageError('train needs a run config file (grpo train config.json) or --resume RUN_DIR');
  }
  if (config !== undefined && values.resume !== undefined) {
    throw new UsageError('train takes a config file or --resume, not both');
  }
  const trainerUrl = values.trainer ?? env.GRPO_TRAINER_URL ?? DEFAULT_TRAINER_URL;
  if (!/^https?:\/\//.test(trainerUrl))
    throw new UsageError(`--trainer must be an http(s) URL, got "${trainerUrl}"`);
  return {
    command: 'train',
    trainerUrl,
    ...(config !== undefined ? { config } : {}),
    ...(values.resume !== undefined ? { resume: values.resume } : {}),
  };
}

function toInt(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`--${flag} must be a non-negative integer, got "${value}"`);
  return Number(value);
}

/** Parses argv (without node and the script) into a command; throws UsageError on bad input. */
export function parseCommand(
  argv: readonly string[],
  env: Record<string, string | undefined> = process.env,
): Command {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  const { values, positionals } = parsed;
  if (values.help || positionals.length === 0) return { command: 'help' };
  const [cmd, service, ...rest] = positionals;
  if (cmd === 'train') return parseTrain(values, positionals.slice(1), env);
  if (cmd === 'keys') {
    if (positionals.length > 1) throw new UsageError(`unexpected argument "${positionals[1]}"`);
    return { command: 'keys', ...(values.out !== undefined ? { out: values.out } : {}) };
  }
  if (values.out !== undefined) throw new UsageError('--out is an option of keys');
  if (cmd === 'quickstart') {
    if (positionals.length > 1) throw new UsageError(`unexpected argument "${positionals[1]}"`);
    return {
      command: 'quickstart',
      ...(values['runs-dir'] !== undefined ? { runsDir: values['runs-dir'] } : {}),
      ...(values.seed !== undefined ? { seed: toInt('seed', values.seed) } : {}),
      ...(values['sft-steps'] !== undefined ? { sftSteps: toInt('sft-steps', values['sft-steps']) } : {}),
    };
  }
  if (cmd !== 'serve') throw new UsageError(`unknown command "${cmd}"`);
  if (!service) throw new UsageError('serve needs a service name: reward, rollout, trainer');
  if (rest.length) throw new UsageError(`unexpected argument "${rest[0]}"`);
  if (service !== 'reward' && service !== 'rollout' && service !== 'trainer') {
    throw new UsageError(
      `service "${service}" is not available in this build; available: reward, rollout, trainer`,
    );
  }
  const onlyFor: Record<string, string> = {
    workers: 'reward',
    model: 'rollout',
    engine: 'rollout',
    upstream: 'rollout',
    'runs-dir': 'trainer',
    resume: 'trainer',
    'data-root': 'trainer',
    'service-origins': 'trainer',
  };
  if (values.trainer !== undefined) throw new UsageError('--trainer is an option of train, not of serve');
  for (const [flag, svc] of Object.entries(onlyFor)) {
    if (values[flag as keyof typeof values] !== undefined && svc !== service)
      throw new UsageError(`--${flag} is an option of serve ${svc}, not of serve ${service}`);
  }
  const overrides: Record<string, unknown> = {};
  if (values.model !== undefined) overrides.model = values.model;
  if (values.engine !== undefined) {
    if (values.engine !== 'onnx' && values.engine !== 'openai')
      throw new UsageError(`--engine must be onnx or openai, got "${values.engine}"`);
    overrides.engine = values.engine;
  }
  if (values.upstream !== undefined) overrides.upstreams = values.upstream;
  if (values.host !== undefined) overrides.host = values.host;
  const port = toInt('port', values.port);
  if (port !== undefined) overrides.port = port;
  const workers = toInt('workers', values.workers);
  if (workers !== undefined) overrides.workers = workers;
  if (values['log-level'] !== undefined) overrides.logLevel = values['log-level'];
  if (values['runs-dir'] !== undefined) overrides.runsDir = values['runs-dir'];
  if (values.resume !== undefined) overrides.resume = values.resume;
  if (values['data-root'] !== undefined) overrides.dataRoot = values['data-root'];
  if (values['service-origins'] !== undefined) overrides.serviceOrigins = values['service-origins'];
  if (values['model-root'] !== undefined) {
    if (service === 'reward')
      throw new UsageError('--model-root is an option of serve rollout and serve trainer');
    overrides.modelRoot = values['model-root'];
  }
  if (values['allow-open']) overrides.allowOpen = true;
  const ep = values['execution-provider'];
  if (ep !== undefined) {
    if (service === 'reward')
      throw new UsageError('--execution-provider is an option of serve rollout and serve trainer');
    if (ep !== 'cpu' && ep !== 'webgpu' && ep !== 'cuda')
      throw new UsageError(`--execution-provider must be cpu, webgpu or cuda, got "${ep}"`);
    overrides.executionProvider = ep;
  }
  return { command: 'serve', service, overrides };
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      help: { type: 'boolean', short: 'h' },
      host: { type: 'string' },
      port: { type: 'string', short: 'p' },
      workers: { type: 'string', short: 'w' },
      'log-level': { type: 'string' },
      model: { type: 'string', short: 'm' },
      engine: { type: 'string' },
      upstream: { type: 'string', multiple: true },
      'runs-dir': { type: 'string' },
      resume: { type: 'string' },
      trainer: { type: 'string' },
      'data-root': { type: 'string' },
      'service-origins': { type: 'string' },
      'model-root': { type: 'string' },
      'allow-open': { type: 'boolean' },
      out: { type: 'string' },
      'execution-provider': { type: 'string' },
      seed: { type: 'string' },
      'sft-steps': { type: 'string' },
    },
  });
}
