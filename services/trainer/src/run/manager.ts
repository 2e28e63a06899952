import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import fs from 'node:fs/promises';
import path from 'node:path';
import {
  type CreateRunRequest,
  type EvalRecord,
  type MetricRow,
  RunConfig,
  type RunState,
  type RunStatus,
} from '@grpo/contracts';
import { AlgorithmConfigError, parseAlgorithmConfig } from '@grpo/grpo';
import type { ExecutionProvider } from '@grpo/onnx';
import { Value } from '@sinclair/typebox/value';
import {
  BAD_RUN_CONFIG,
  DISK_FULL,
  NO_CHECKPOINT,
  RUN_ACTIVE,
  RUN_FAILED,
  runNotFound,
  TrainerError,
} from '../errors.js';
import { exists, writeFileAtomic } from './atomic.js';
import { confineRunConfig, confineRunDir, type RunRoots } from './confine.js';
import { GuardedRunServices } from './guarded-services.js';
import { RunLoop, type StageEvent, totalSteps } from './loop.js';
import { MetricsLog } from './metrics-log.js';
import { readPastStatus, saveStatus } from './past-runs.js';
import { HttpRunServices, type RunServices } from './services.js';
import { needsServices, untilFirstCheck } from './setup.js';
import {
  type AlgorithmFactory,
  type AlgorithmSpec,
  algorithmConfigInput,
  DEFAULT_ALGORITHM,
  dynamicSamplingOf,
} from './step.js';

export const CONFIG_FILE = 'config.json';
export const RUN_FILE = 'run.json';

/** An event of a run, as sent on its SSE stream (`event: <type>`). */
export type RunEvent =
  | { type: 'step'; data: MetricRow }
  | { type: 'stage'; data: StageEvent }
  | { type: 'eval'; data: EvalRecord }
  | { type: 'status'; data: RunStatus };

export interface RunManagerOptions {
  runsDir: string;
  /** Folders data files may be read from (absolute); none: no data file may be named. */
  dataRoots?: readonly string[];
  /** Folders a model folder may be named in (runsDir is always allowed too). */
  modelRoots?: readonly string[];
  /** Origins a run config's rolloutUrl and rewardUrl may name (none: loopback only; `*`: any). */
  serviceOrigins?: readonly string[];
  /** Execution provider of runs whose config names none; default cpu. */
  executionProvider?: ExecutionProvider;
  serviceTimeoutMs: number;
  rolloutApiKey?: string;
  rewardApiKey?: string;
  /** Retry budget of each call to the rollout and reward services (HttpRunServicesOptions). */
  serviceRetries?: number;
  serviceBackoffMs?: number;
  serviceMaxBackoffMs?: number;
  algorithms?: AlgorithmFactory;
  /** Replaces the HTTP services (tests). */
  services?: (config: RunConfig) => RunServices | null;
  log?: {
    info(o: object, msg: string): void;
    warn(o: object, msg: string): void;
    error(o: object, msg: string): void;
  };
}

/** A run known to this process: its status, config and live event stream. */
export class Run extends EventEmitter {
  status: RunStatus;
  loop: RunLoop | null = null;
  readonly abort = new AbortController();
  done: Promise<void> = Promise.resolve();
  /** The last write of status.json (writes are chained so the newest lands last). */
  saved: Promise<void> = Promise.resolve();
  /** metrics.jsonl and evals.jsonl of a run found on disk, read on first use. */
  private past: Promise<MetricsLog> | null = null;
  /** The stage events of this process's run, each with the step rows logged before it. */
  readonly stageEvents: { afterStep: number; event: StageEvent }[] = [];

  constructor(
    readonly config: RunConfig,
    status: RunStatus,
  ) {
    super();
    this.setMaxListeners(0);
    this.status = status;
  }

  emitEvent(e: RunEvent): void {
    this.emit('event', e);
  }

  /**
   * The run's metric rows and evals: the live log when this process runs it (empty until the
   * loop has opened it), else metrics.jsonl and evals.jsonl read from disk once.
   */
  async metricsLog(): Promise<MetricsLog> {
    if (this.loop) return this.liveLog();
    this.past ??= MetricsLog.open(this.status.runDir);
    const past = await this.past;
    // The loop may have started while the files were read: its log is then the whole story.
    return this.loop ? this.liveLog() : past;
  }

  private liveLog(): MetricsLog {
    return this.loop?.metrics ?? MetricsLog.empty(this.status.runDir);
  }
}

const ACTIVE: readonly RunState[] = ['queued', 'running', 'stopping'];

/**
 * Owns the runs of this trainer process. One run trains at a time (the policy, the optimizer
 * and the CPU are per process); a second `create` while one is active is a 409. Runs train in
 * the background; their state moves queued → running → (stopping → stopped) | completed |
 * failed, with the error kept on the status.
 */
export class RunManager {
  readonly runs = new Map<string, Run>();

  constructor(private readonly o: RunManagerOptions) {}

  active(): Run | undefined {
    for (const r of this.runs.values()) if (ACTIVE.includes(r.status.state)) return r;
    return undefined;
  }

  get(id: string): Run {
    const r = this.runs.get(id);
    if (!r) throw runNotFound(id);
    return r;
  }

  /** Every run known to this process, oldest first (by createdAt). */
  list(): RunStatus[] {
    return [...this.runs.values()]
      .map((r) => r.status)
      .sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0));
  }

  /**
   * Lists the runs already in `runsDir` (one folder each, with config.json), so a restarted
   * trainer shows its completed, stopped and failed runs. A run whose process died while it was
   * active reads `stopped`: it can be resumed. Folders that do not hold a readable run are
   * skipped and logged. Returns how many runs were added.
   */
  async loadPast(): Promise<number> {
    let names: string[];
    try {
      names = await fs.readdir(this.o.runsDir);
    } catch {
      return 0;
    }
    let added = 0;
    for (const name of names.sort()) {
      const runDir = path.resolve(this.o.runsDir, name);
      if (!(await exists(path.join(runDir, CONFIG_FILE)))) continue;
      try {
        const config = parseRunConfig(JSON.parse(await fs.readFile(path.join(runDir, CONFIG_FILE), 'utf8')));
        const status = await readPastStatus(runDir, config, await readRunMeta(runDir));
        if (this.runs.has(status.id)) continue;
        this.runs.set(status.id, new Run(config, status));
        added++;
      } catch (err) {
        this.o.log?.error({ runDir, err }, 'not a readable run directory; skipped');
      }
    }
    return added;
  }

  /** Where request paths may point (see confine.ts). */
  get roots(): RunRoots {
    return {
      runsDir: path.resolve(this.o.runsDir),
      dataRoots: this.o.dataRoots ?? [],
      modelRoots: this.o.modelRoots ?? [],
      serviceOrigins: this.o.serviceOrigins ?? [],
    };
  }

  /**
   * Validates the request and starts a run (or resumes one from a run directory) in the
   * background. Every path the request names must resolve inside the roots (403 otherwise);
   * `trusted` (the operator's own --resume at start) lifts that for the run directory.
   */
  async create(req: CreateRunRequest, opts: { trusted?: boolean } = {}): Promise<RunStatus> {
    const busy = this.active();
    if (busy) {
      throw new TrainerError(
        RUN_ACTIVE,
        'id',
        `run ${busy.status.id} is ${busy.status.state}; one run at a time`,
        409,
      );
    }
    let config: RunConfig;
    let runConfig: RunConfig;
    let runDir: string;
    let id: string;
    let createdAt = new Date().toISOString();
    if ('resume' in req) {
      runDir = opts.trusted ? path.resolve(req.resume) : confineRunDir(req.resume, this.roots, 'resume');
      if (!(await exists(path.join(runDir, CONFIG_FILE)))) {
        throw new TrainerError(
          NO_CHECKPOINT,
          'resume',
          `${runDir} has no ${CONFIG_FILE}: not a run directory`,
        );
      }
      config = parseRunConfig(await readConfigFile(path.join(runDir, CONFIG_FILE)));
      // The roots may have changed since the run was created: its paths are checked again
      // (not for the operator's own --resume at start).
      // Its saved runDir is not used (the run lives where `resume` points, e.g. a copy).
      const { runDir: _saved, ...rest } = config;
      runConfig = opts.trusted ? config : confineRunConfig(rest as RunConfig, this.roots);
      const meta = await readRunMeta(runDir);
      id = meta?.id ?? path.basename(runDir);
      createdAt = meta?.createdAt ?? createdAt;
      const previous = this.runs.get(id);
      if (previous) this.runs.delete(id);
    } else {
      config = parseRunConfig(req);
      runConfig = confineRunConfig(config, this.roots);
      id = newRunId();
      runDir = runConfig.runDir ?? path.resolve(this.o.runsDir, id);
      if (await exists(path.join(runDir, CONFIG_FILE))) {
        throw new TrainerError(
          BAD_RUN_CONFIG,
          'runDir',
          `${runDir} already holds a run; resume it with {"resume": "${runDir}"}`,
          409,
        );
      }
      await fs.mkdir(runDir, { recursive: true });
      await writeFileAtomic(path.join(runDir, CONFIG_FILE), `${JSON.stringify(config, null, 2)}\n`);
      await writeFileAtomic(
        path.join(runDir, RUN_FILE),
        `${JSON.stringify({ id, createdAt, name: config.name })}\n`,
      );
    }
    const first = config.stages[0];
    const run = new Run(runConfig, {
      id,
      ...(config.name ? { name: config.name } : {}),
      state: 'queued',
      runDir,
      step: 0,
      totalSteps: totalSteps(config),
      stage: 0,
      stageType: first?.type ?? 'sft',
      stageStep: 0,
      stageSteps: first?.steps ?? 0,
      createdAt,
      updatedAt: createdAt,
      evals: [],
      checkpoints: [],
    });
    this.runs.set(id, run);
    run.done = this.execute(run);
    return run.status;
  }

  /** Asks a run to stop after its current step; it checkpoints and ends `stopped`. */
  stop(id: string): RunStatus {
    const run = this.get(id);
    if (run.status.state === 'queued' || run.status.state === 'running') {
      this.update(run, { state: 'stopping' });
      run.abort.abort();
    }
    return run.status;
  }

  /** Stops every active run and waits for their checkpoints and status files (service shutdown). */
  async close(): Promise<void> {
    const active = [...this.runs.values()].filter((r) => ACTIVE.includes(r.status.state));
    for (const r of active) this.stop(r.status.id);
    await Promise.all(active.map((r) => r.done));
    await Promise.all([...this.runs.values()].map((r) => r.saved));
  }

  private update(run: Run, patch: Partial<RunStatus>, persist = patch.state !== undefined): void {
    run.status = { ...run.status, ...patch, updatedAt: new Date().toISOString() };
    run.emitEvent({ type: 'status', data: run.status });
    if (persist) run.saved = saveStatus(run.saved, run.status);
  }

  /**
   * The rollout and reward services over HTTP with bounded retries, behind the guard that
   * checks every reply before the loop trains on it (guarded-services.ts).
   */
  private httpServices(run: Run): RunServices | null {
    const { config } = run;
    if (!config.rolloutUrl || !config.rewardUrl) return null;
    const log = this.o.log;
    let guard: GuardedRunServices | undefined;
    const http = new HttpRunServices({
      rolloutUrl: config.rolloutUrl,
      rewardUrl: config.rewardUrl,
      timeoutMs: this.o.serviceTimeoutMs,
      rolloutApiKey: this.o.rolloutApiKey,
      rewardApiKey: this.o.rewardApiKey,
      retries: this.o.serviceRetries,
      backoffMs: this.o.serviceBackoffMs,
      maxBackoffMs: this.o.serviceMaxBackoffMs,
      onRetry: (info) => {
        guard?.countRetry();
        log?.warn({ run: run.status.id, ...info }, 'retrying a service call');
      },
    });
    guard = new GuardedRunServices(http, { log });
    return guard;
  }

  private async execute(run: Run): Promise<void> {
    const { config } = run;
    const services = this.o.services?.(config) ?? this.httpServices(run);
    const loop = new RunLoop({
      runDir: run.status.runDir,
      config,
      services,
      executionProvider: config.executionProvider ?? this.o.executionProvider ?? 'cpu',
      algorithms: this.o.algorithms,
      signal: run.abort.signal,
      events: {
        step: (row) => {
          run.status = { ...run.status, last: row };
          run.emitEvent({ type: 'step', data: row });
        },
        stage: (e) => {
          if (e.state === 'started') {
            this.update(run, {
              stage: e.stage,
              stageType: e.type,
              stageStep: loop.stageStep,
              stageSteps: e.steps,
            });
          }
          if (e.state === 'completed') this.update(run, { checkpoints: [...loop.stageCheckpoints] }, true);
          run.stageEvents.push({ afterStep: run.status.last?.step ?? 0, event: e });
          run.emitEvent({ type: 'stage', data: e });
        },
        eval: (rec) => {
          run.status = { ...run.status, evals: [...run.status.evals, rec] };
          run.emitEvent({ type: 'eval', data: rec });
        },
        progress: (p) => this.update(run, p),
      },
    });
    run.loop = loop;
    try {
      await loop.init();
      const s = config.stages[loop.stage];
      this.update(run, {
        state: run.abort.signal.aborted ? 'stopping' : 'running',
        step: loop.step,
        stage: loop.stage,
        stageStep: loop.stageStep,
        stageType: s?.type ?? run.status.stageType,
        stageSteps: s && s.type !== 'eval' ? s.steps : 0,
        evals: [...loop.metrics.evals],
        checkpoints: [...loop.stageCheckpoints],
        ...(loop.metrics.rows.length ? { last: loop.metrics.rows[loop.metrics.rows.length - 1] } : {}),
        ...(loop.resumedFrom !== undefined ? { resumedFrom: loop.resumedFrom } : {}),
      });
      if (loop.skippedCheckpoints.length)
        this.o.log?.warn(
          { run: run.status.id, skipped: loop.skippedCheckpoints, resumedFrom: loop.resumedFrom },
          'checkpoints that did not load were skipped',
        );
      this.o.log?.info({ run: run.status.id, step: loop.step, runDir: run.status.runDir }, 'run started');
      const end = await loop.run();
      this.update(run, { state: end });
      this.o.log?.info({ run: run.status.id, step: loop.step, state: end }, 'run ended');
    } catch (err) {
      this.update(run, { state: 'failed', error: runError(err) });
      this.o.log?.error({ run: run.status.id, err }, 'run failed');
    }
    await run.saved;
  }
}

/** Validates a `POST /v1/runs` body: `{resume: runDir}` or a RunConfig (defaults filled in). */
export function parseCreateRequest(raw: unknown): CreateRunRequest {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new TrainerError(
      BAD_RUN_CONFIG,
      'body',
      'the body must be a RunConfig object or {"resume": runDir}',
    );
  }
  if ('resume' in raw) {
    const r = raw as { resume: unknown };
    if (typeof r.resume !== 'string' || r.resume.length === 0 || Object.keys(raw).length !== 1) {
      throw new TrainerError(
        BAD_RUN_CONFIG,
        'resume',
        '{"resume": runDir} takes one non-empty string and nothing else',
      );
    }
    return { resume: r.resume };
  }
  return parseRunConfig(raw);
}

/** Applies the schema defaults and validates; the first problem is a 400 naming the field. */
export function parseRunConfig(raw: unknown): RunConfig {
  const withDefaults = Value.Default(RunConfig, Value.Clone(raw)) as unknown;
  const first = [...Value.Errors(RunConfig, withDefaults)][0];
  if (first) {
    const field =
      first.path
        .replace(/^\//, '')
        .replace(/\/(\d+)/g, '[$1]')
        .replace(/\//g, '.') || 'config';
    throw new TrainerError(BAD_RUN_CONFIG, field, `invalid run config at ${field}: ${first.message}`);
  }
  const config = withDefaults as RunConfig;
  if (needsServices(config) && (!config.rolloutUrl || !config.rewardUrl)) {
    throw new TrainerError(
      BAD_RUN_CONFIG,
      config.rolloutUrl ? 'rewardUrl' : 'rolloutUrl',
      'grpo, rejection_sampling and eval stages, and sft stages with until, need rolloutUrl and rewardUrl',
    );
  }
  config.stages.forEach((s, i) => {
    if (s.until && s.type !== 'sft')
      throw new TrainerError(BAD_RUN_CONFIG, `stages[${i}].until`, 'only sft stages train until an accuracy');
    if (s.until && untilFirstCheck(s.until) > s.steps)
      throw new TrainerError(
        BAD_RUN_CONFIG,
        `stages[${i}].until.from`,
        `the first check (step ${untilFirstCheck(s.until)}) is past the stage's ${s.steps} steps`,
      );
    if (s.type === 'grpo' && s.algorithm) checkAlgorithm(s.algorithm, `stages[${i}].algorithm`);
    if (s.overlapRollout && s.type !== 'grpo')
      throw new TrainerError(
        BAD_RUN_CONFIG,
        `stages[${i}].overlapRollout`,
        'only grpo stages overlap rollouts',
      );
    if (s.rolloutBatch === undefined) return;
    const field = `stages[${i}].rolloutBatch`;
    let dynamic = false;
    try {
      dynamic = s.type === 'grpo' && dynamicSamplingOf(s.algorithm ?? DEFAULT_ALGORITHM).enabled;
    } catch {
      // A bad algorithm is reported when its stage starts, with the algorithm's own field.
    }
    if (!dynamic)
      throw new TrainerError(
        BAD_RUN_CONFIG,
        field,
        'rolloutBatch needs a grpo stage with dynamic sampling (e.g. dapo)',
      );
    if (s.rolloutBatch < s.batch)
      throw new TrainerError(
        BAD_RUN_CONFIG,
        field,
        `rolloutBatch ${s.rolloutBatch} is below batch ${s.batch}`,
      );
  });
  return config;
}

/**
 * The code and message a failed run reports. ENOSPC/EDQUOT (the runs disk full, e.g. during a
 * checkpoint) become GRPO_TRAINER_DISK_FULL: the last complete checkpoint is intact, so the run
 * resumes once there is room.
 */
export function runError(err: unknown): { code: string; message: string } {
  const e = err as { code?: unknown; message?: string };
  if (e.code === 'ENOSPC' || e.code === 'EDQUOT')
    return {
      code: DISK_FULL,
      message: `the runs disk is full (${e.code}); free space and resume the run from its last checkpoint`,
    };
  return { code: typeof e.code === 'string' ? e.code : RUN_FAILED, message: e.message ?? String(err) };
}

/**
 * A grpo stage's algorithm, parsed as its stage will parse it: a bad preset or override is a
 * 400 naming the field (`stages[1].algorithm.overrides.critic.clipValue`). A critic `init`
 * folder is a server path: confineRunConfig resolves it inside the model roots.
 */
function checkAlgorithm(a: AlgorithmSpec, field: string): void {
  try {
    parseAlgorithmConfig(algorithmConfigInput(a));
  } catch (e) {
    if (!(e instanceof AlgorithmConfigError)) throw e;
    const at = e.field === 'preset' ? `${field}.name` : `${field}.overrides.${e.field}`;
    throw new TrainerError(BAD_RUN_CONFIG, at, e.message);
  }
}

function newRunId(): string {
  const t = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
  return `run-${t}-${randomBytes(3).toString('hex')}`;
}

/** A run directory's config.json; a broken one is named, never quoted (issue #20). */
async function readConfigFile(file: string): Promise<unknown> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8'));
  } catch {
    throw new TrainerError(
      BAD_RUN_CONFIG,
      'resume',
      `${CONFIG_FILE} of the run directory is not readable JSON`,
    );
  }
}

async function readRunMeta(runDir: string): Promise<{ id?: string; createdAt?: string } | null> {
  try {
    return JSON.parse(await fs.readFile(path.join(runDir, RUN_FILE), 'utf8'));
  } catch {
    return null;
  }
}
