import fs from 'node:fs/promises';
import path from 'node:path';
import type {
  EvalRecord,
  MetricRow,
  RewardItem,
  RewardItemResult,
  RolloutCompletion,
  RolloutResponse,
  RunConfig,
  StageCheckpoint,
  StageSpec,
  StageType,
} from '@grpo/contracts';
import { informativeGroups } from '@grpo/grpo';
import {
  type HfTokenizer,
  loadPolicy,
  type ModelConfig,
  readSafetensors,
  type ScoreSequence,
  type TensorMap,
} from '@grpo/model';
import type { ExecutionProvider, SessionOptions } from '@grpo/onnx';
import type { Example } from '../data/example.js';
import { BAD_RUN_CONFIG, CHECKPOINT_CORRUPT, EVAL_GATE, TrainerError } from '../errors.js';
import { exists } from './atomic.js';
import {
  CHECKPOINTS_DIR,
  type LoadedCheckpoint,
  listCheckpoints,
  PENDING_ROLLOUT_FILE,
  REFERENCE_FILE,
  saveCheckpoint,
  saveModelFolder,
  type TrainerState,
} from './checkpoint.js';
import { batchIndices, dataCursor, deriveSeed, permutation } from './data-order.js';
import { MetricsLog } from './metrics-log.js';
import { runPlotSvg } from './plot.js';
import { lrAt } from './schedule.js';
import type { RunServices } from './services.js';
import { loadRunData, prepareBaseModel, type RunData, stageNeedsServices, untilFirstCheck } from './setup.js';
import { listStageCheckpoints, saveStageCheckpoint } from './stage-checkpoint.js';
import { mean, summariseRewards, zeroStdFraction } from './stats.js';
import {
  type AlgorithmFactory,
  DEFAULT_ALGORITHM,
  dynamicSamplingOf,
  type Group,
  PolicyStepRunner,
  type StepRunner,
  TRAINER_SESSION,
} from './step.js';
import { modelLength, toolMetrics, traceIds, trainMask } from './tools.js';

/** A stage started or completed; `steps` is its optimizer steps (0 for eval). */
export interface StageEvent {
  stage: number;
  type: StageType;
  name: string;
  steps: number;
  state: 'started' | 'completed';
}

/** What the loop reports as it goes (the run manager fans these out to SSE clients). */
export interface LoopEvents {
  step(row: MetricRow): void;
  stage(e: StageEvent): void;
  eval(rec: EvalRecord): void;
  progress(p: { step: number; stage: number; stageStep: number }): void;
}

export interface LoopOptions {
  runDir: string;
  config: RunConfig;
  services: RunServices | null;
  /** ORT execution provider of the run's train steps and scoring; default cpu. */
  executionProvider?: ExecutionProvider;
  algorithms?: AlgorithmFactory;
  signal: AbortSignal;
  events: LoopEvents;
}

/** One sampling round of an RL step: groups scored by the reward service, with timings. */
interface SampledRound {
  groups: Group[];
  results: RewardItemResult[];
  lens: number[];
  rolloutMs: number;
  rewardMs: number;
  /** The round's sampled completions as returned (tool metrics). */
  completions: RolloutCompletion[];
}

/**
 * The first sampling round of the next step, requested before this step's update
 * (`overlapRollout`): the rollout service samples it with the weights it holds while the
 * trainer trains. Saved with checkpoints, so a resumed run trains on the same samples.
 */
interface PendingRound {
  stage: number;
  stageStep: number;
  rollout: Promise<RolloutResponse>;
}

/** A user prompt as the policy sees it: chat template with the generation prompt, no special tokens added. */
export function chatPromptIds(tokenizer: HfTokenizer, prompt: string): number[] {
  const text = tokenizer.applyChatTemplate([{ role: 'user', content: prompt }], {
    addGenerationPrompt: true,
  });
  return tokenizer.encode(text, { addSpecialTokens: false });
}

/**
 * Examples a step starts from: SFT examples, or the prompts of an RL step's first sampling round
 * (`rolloutBatch`, which parseRunConfig allows only on grpo stages with dynamic sampling).
 */
const firstRoundPrompts = (spec: StageSpec) => spec.rolloutBatch ?? spec.batch;

/** Sampling of grpo and rejection_sampling stages: the stage's settings over the defaults. */
function rlSampling(spec: StageSpec) {
  return { temperature: 1, topP: 1, topK: 0, maxTokens: 256, ...spec.sampling };
}

/** Prompts per rollout request during evaluation. */
export const EVAL_CHUNK = 64;
export const SYNC_DIR = 'sync';
export const PLOT_FILE = 'plot.svg';

export const stageName = (s: StageSpec, i: number) => s.name ?? `${i}-${s.type}`;
export const stageSteps = (s: StageSpec) => (s.type === 'eval' ? 0 : s.steps);
export const totalSteps = (c: RunConfig) => c.stages.reduce((a, s) => a + stageSteps(s), 0);

/**
 * The run loop: stages in order, one optimizer step at a time, checkpoints every
 * `checkpointEvery` steps and at every stage end, resume from the last checkpoint. Everything
 * a step depends on (data order, sampling seed) is a function of the step number and the run
 * seed, so a resumed run repeats no step and skips none.
 */
export class RunLoop {
  step = 0;
  stage = 0;
  stageStep = 0;
  resumedFrom: number | undefined;
  /** Checkpoint steps passed over at resume because their files did not load. */
  readonly skippedCheckpoints: number[] = [];
  metrics!: MetricsLog;
  private data!: RunData;
  private tokenizer!: HfTokenizer;
  private modelConfig!: ModelConfig;
  private baseModelDir = '';
  private runner!: StepRunner;
  /** Step whose weights the rollout service holds; -1: not synced by this process. */
  private syncedStep = -1;
  private syncedDir: string | null = null;
  private pending: PendingRound | null = null;
  /** The kept last weights of every finished training stage (`checkpoints/<stage name>/`). */
  stageCheckpoints: StageCheckpoint[] = [];

  constructor(private readonly o: LoopOptions) {}

  /** Loads data, model and the last checkpoint; cuts metrics past it. Call before `run`. */
  async init(): Promise<void> {
    const { runDir, config } = this.o;
    this.data = loadRunData(config.data);
    this.checkData();
    const base = await prepareBaseModel(config.model, runDir, this.data);
    this.baseModelDir = base.dir;
    this.tokenizer = base.policy.tokenizer;
    this.modelConfig = base.policy.config;
    this.metrics = await MetricsLog.open(runDir);
    const ckpt = await this.restore(base.policy.tensors);
    if (ckpt) {
      this.step = ckpt.state.step;
      this.stage = ckpt.state.stage;
      this.stageStep = ckpt.state.stageStep;
      this.resumedFrom = ckpt.state.step;
      // Newer folders (a truncated one skipped by restore, or a half-made one) are dropped.
      await this.dropCheckpointsAfter(ckpt.state.step);
    }
    await this.metrics.truncate(this.step, this.stage);
    this.stageCheckpoints = await listStageCheckpoints(runDir, config, ckpt ? ckpt.state.stage : 0);
    // Weights the rollout service got from an earlier process are re-sent on the first rollout.
    await fs.rm(path.join(runDir, SYNC_DIR), { recursive: true, force: true });
  }

  /**
   * Builds the step runner from the newest checkpoint that loads completely (weights, KL
   * reference, optimizer state, pending samples), falling back to older ones when a newer one
   * is truncated or corrupt; `skippedCheckpoints` lists those. Without checkpoints: the base
   * weights. Checkpoints that all fail are GRPO_TRAINER_CHECKPOINT_CORRUPT, not a silent restart.
   */
  private async restore(base: TensorMap): Promise<LoadedCheckpoint | null> {
    const all = await listCheckpoints(this.o.runDir);
    for (const ckpt of all) {
      let runner: StepRunner | undefined;
      try {
        runner = new PolicyStepRunner(
          this.modelConfig,
          (await loadPolicy(ckpt.dir)).tensors,
          this.o.algorithms,
          this.session(),
        );
        const refFile = path.join(ckpt.dir, REFERENCE_FILE);
        if (ckpt.state.optimizer === 'grpo' && (await exists(refFile)))
          runner.setReference(await readSafetensors(refFile));
        if (ckpt.state.optimizer) {
          const s = this.o.config.stages[ckpt.state.stage];
          await runner.loadOptimizer(ckpt.dir, ckpt.state.optimizer, s?.algorithm ?? DEFAULT_ALGORITHM);
        }
        const pendingFile = path.join(ckpt.dir, PENDING_ROLLOUT_FILE);
        if (await exists(pendingFile)) {
          const p = JSON.parse(await fs.readFile(pendingFile, 'utf8')) as Omit<PendingRound, 'rollout'> & {
            rollout: RolloutResponse;
          };
          this.pending = { stage: p.stage, stageStep: p.stageStep, rollout: Promise.resolve(p.rollout) };
        }
        this.runner = runner;
        return ckpt;
      } catch {
        await runner?.release();
        this.pending = null;
        this.skippedCheckpoints.push(ckpt.state.step);
      }
    }
    if (all.length > 0)
      throw new TrainerError(
        CHECKPOINT_CORRUPT,
        'resume',
        `none of the ${all.length} checkpoints of the run loads (truncated or corrupt files)`,
        409,
      );
    this.runner = new PolicyStepRunner(this.modelConfig, base, this.o.algorithms, this.session());
    return null;
  }

  /** ORT options of the run's train steps and scoring (the run's execution provider). */
  private session(): SessionOptions {
    return { ...TRAINER_SESSION, executionProvider: this.o.executionProvider ?? 'cpu' };
  }

  private checkData(): void {
    const { config } = this.o;
    config.stages.forEach((s, i) => {
      if (s.type === 'sft' && s.steps > 0 && !this.data.train.some((e) => e.completion || e.segments)) {
        throw new TrainerError(
          BAD_RUN_CONFIG,
          `stages[${i}]`,
          'an sft stage needs examples with a completion (or tool-trace segments)',
        );
      }
      if (s.type === 'eval' && s.split === 'eval' && this.data.eval.length === 0) {
        throw new TrainerError(BAD_RUN_CONFIG, `stages[${i}].split`, 'no eval examples (data.evalPath)');
      }
      if (s.until && (s.until.split === 'rl' ? this.data.rl : this.data.eval).length === 0) {
        throw new TrainerError(
          BAD_RUN_CONFIG,
          `stages[${i}].until.split`,
          `no ${s.until.split} examples to check (data.${s.until.split}Path, or the builtin's ${s.until.split} split)`,
        );
      }
      if (stageNeedsServices(s) && !this.o.services) {
        throw new TrainerError(
          BAD_RUN_CONFIG,
          'rolloutUrl',
          `stage ${i} (${s.type}) needs rolloutUrl and rewardUrl`,
        );
      }
    });
  }

  private async dropCheckpointsAfter(step: number): Promise<void> {
    const root = path.join(this.o.runDir, CHECKPOINTS_DIR);
    for (const n of await fs.readdir(root)) {
      const m = /^step-(\d+)$/.exec(n);
      if (m && Number(m[1]) > step) await fs.rm(path.join(root, n), { recursive: true, force: true });
    }
  }

  /** Runs from the current position to the end, or until the signal aborts (then checkpoints). */
  async run(): Promise<'completed' | 'stopped'> {
    const { config, signal } = this.o;
    try {
      for (; this.stage < config.stages.length; this.stage++, this.stageStep = 0) {
        const spec = config.stages[this.stage] as StageSpec;
        const name = stageName(spec, this.stage);
        this.o.events.stage({
          stage: this.stage,
          type: spec.type,
          name,
          steps: stageSteps(spec),
          state: 'started',
        });
        if (spec.type === 'eval') {
          if (signal.aborted) return await this.stopAt(spec);
          const rec = await this.evaluate(spec, name);
          this.o.events.eval(rec);
          this.gate(spec, rec);
        } else {
          // The KL reference of the stage is the policy it starts from (the SFT checkpoint for a
          // grpo stage after sft); a stage resumed mid-way restored its own from the checkpoint.
          if (this.stageStep === 0) this.runner.startStage();
          for (; this.stageStep < spec.steps; ) {
            if (signal.aborted) return await this.stopAt(spec);
            await this.trainStep(spec);
            if (await this.reachedUntil(spec, name)) break;
            if (this.stageStep < spec.steps && this.step % config.checkpointEvery === 0) {
              await this.checkpoint(spec.type === 'sft' ? 'sft' : spec.type === 'grpo' ? 'grpo' : 'sft');
            }
          }
        }
        if (spec.type !== 'eval' && spec.steps > 0) await this.keepStageEnd();
        // Stage boundary: the next stage starts with a fresh optimizer.
        await this.runner.resetOptimizer();
        await this.checkpoint(null, this.stage + 1, 0);
        this.o.events.stage({
          stage: this.stage,
          type: spec.type,
          name,
          steps: stageSteps(spec),
          state: 'completed',
        });
      }
      await this.writePlot();
      return 'completed';
    } finally {
      await this.runner.release();
    }
  }

  /** `<runDir>/plot.svg`: loss, reward and accuracy per step, eval accuracies as dots. */
  async writePlot(): Promise<string> {
    const file = path.join(this.o.runDir, PLOT_FILE);
    const title = `${this.o.config.name ?? path.basename(this.o.runDir)}: ${this.step} steps`;
    await fs.writeFile(file, runPlotSvg(this.metrics.rows, this.metrics.evals, title));
    return file;
  }

  /** Saves the weights at the end of the current training stage where pruning cannot reach them. */
  private async keepStageEnd(): Promise<void> {
    const rec = await saveStageCheckpoint({
      runDir: this.o.runDir,
      config: this.o.config,
      stage: this.stage,
      step: this.step,
      modelConfig: this.modelConfig,
      tensors: this.runner.tensors(),
      baseModelDir: this.baseModelDir,
    });
    this.stageCheckpoints = [...this.stageCheckpoints.filter((c) => c.stage !== rec.stage), rec];
  }

  /**
   * An sft stage's `until`: on its check steps, scores `until.split` as an eval stage would (an
   * eval record `<stage>-check`) and says whether the accuracy reached the target.
   */
  private async reachedUntil(spec: StageSpec, name: string): Promise<boolean> {
    const u = spec.until;
    if (!u || spec.type !== 'sft') return false;
    const from = untilFirstCheck(u);
    if (this.stageStep < from || (this.stageStep - from) % u.every !== 0) return false;
    const check: StageSpec = { ...spec, type: 'eval', evalCount: u.evalCount };
    const pool = u.split === 'rl' ? this.data.rl : this.data.eval;
    const rec = await this.evaluate(check, `${name}-check`, pool, u.split);
    this.o.events.eval(rec);
    return rec.accuracy >= u.accuracy;
  }

  /** An eval stage's `minAccuracy` gate: below it the run fails with a code and what to do. */
  private gate(spec: StageSpec, rec: EvalRecord): void {
    if (spec.minAccuracy === undefined || rec.accuracy >= spec.minAccuracy) return;
    const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
    const kept = this.stageCheckpoints[this.stageCheckpoints.length - 1];
    throw new TrainerError(
      EVAL_GATE,
      `stages[${this.stage}].minAccuracy`,
      `${rec.name}: accuracy ${pct(rec.accuracy)} on ${rec.count} problems is below minAccuracy ` +
        `${pct(spec.minAccuracy)}, so the run stops here rather than train the next stages on a policy ` +
        `that cannot do the task.${kept ? ` The weights are kept in ${kept.path}.` : ''}`,
      422,
    );
  }

  private async stopAt(spec: StageSpec): Promise<'stopped'> {
    const kind = spec.type === 'eval' || this.stageStep === 0 ? null : spec.type === 'grpo' ? 'grpo' : 'sft';
    await this.checkpoint(kind);
    return 'stopped';
  }

  private async checkpoint(
    optimizer: TrainerState['optimizer'],
    stage = this.stage,
    stageStep = this.stageStep,
  ) {
    const { config, runDir } = this.o;
    const spec = config.stages[stage];
    const batch = spec ? firstRoundPrompts(spec) : 1;
    const n = spec ? this.pool(spec).length : this.data.train.length;
    await saveCheckpoint({
      runDir,
      config: this.modelConfig,
      baseModelDir: this.baseModelDir,
      runner: this.runner,
      keep: config.keepCheckpoints,
      extraFiles: await this.pendingFiles(),
      state: {
        format: 1,
        step: this.step,
        stage,
        stageStep,
        optimizer,
        seed: config.seed,
        dataCursor: dataCursor(n, batch, stageStep),
        time: new Date().toISOString(),
      },
    });
  }

  /**
   * The pending first round of the next step, as a checkpoint file. A round whose request failed
   * is dropped: the next step requests it again.
   */
  private async pendingFiles(): Promise<Record<string, string>> {
    const p = this.pending;
    if (!p) return {};
    try {
      const rollout = await p.rollout;
      return { [PENDING_ROLLOUT_FILE]: JSON.stringify({ stage: p.stage, stageStep: p.stageStep, rollout }) };
    } catch {
      this.pending = null;
      return {};
    }
  }

  /** The chat-formatted prompt ids the rollout service samples from and the trainer trains on. */
  promptIds(e: Example): number[] {
    return chatPromptIds(this.tokenizer, e.prompt);
  }

  private sftSequence(
    promptIds: readonly number[],
    completionIds: readonly number[],
    lossMask?: readonly number[],
  ): ScoreSequence | null {
    const max = this.o.config.maxSeqTokens;
    const ids = [...promptIds, ...completionIds].slice(0, max);
    if (promptIds.length >= ids.length) return null;
    if (!lossMask) return { ids, promptLength: promptIds.length };
    const mask = lossMask.slice(0, ids.length - promptIds.length);
    // A trace whose model tokens were all cut off trains on nothing.
    if (!mask.some((m) => m === 1)) return null;
    return { ids, promptLength: promptIds.length, lossMask: mask };
  }

  /** The examples a training stage draws from: the rl split for grpo and rejection sampling when there is one. */
  private pool(spec: StageSpec): Example[] {
    const rl = spec.type === 'grpo' || spec.type === 'rejection_sampling';
    return rl && this.data.rl.length > 0 ? this.data.rl : this.data.train;
  }

  private async trainStep(spec: StageSpec): Promise<void> {
    const stageStep = this.stageStep + 1;
    const lr = lrAt(spec.lr, spec.schedule, stageStep, spec.steps);
    const examples = this.stepExamples(spec, stageStep);
    const t0 = performance.now();
    const row = emptyRow(this.step + 1, this.stage, spec.type, stageStep, lr);
    const faults = this.o.services?.stats;
    const before = faults ? { ...faults } : null;
    if (spec.type === 'sft') {
      const eos = this.modelConfig.eosTokenIds[0];
      const seqs: ScoreSequence[] = [];
      for (const e of examples) {
        if (e.segments) {
          const tr = traceIds(this.tokenizer, e.segments, eos);
          const s = this.sftSequence(this.promptIds(e), tr.ids, tr.mask);
          if (s) seqs.push(s);
          continue;
        }
        const c = this.tokenizer.encode(e.completion ?? '', { addSpecialTokens: false });
        const s = this.sftSequence(this.promptIds(e), eos === undefined ? c : [...c, eos]);
        if (s) seqs.push(s);
      }
      const t = performance.now();
      const r = await this.runner.sft(seqs, lr);
      row.timeTrainMs = performance.now() - t;
      Object.assign(row, { loss: r.loss, gradNorm: r.gradNorm, tokens: r.tokens });
      const lens = seqs.map((s) =>
        s.lossMask ? s.lossMask.reduce((a, m) => a + m, 0) : s.ids.length - s.promptLength,
      );
      lengthStats(row, lens);
    } else {
      await this.rlStep(spec, examples, lr, row);
    }
    row.timeStepMs = performance.now() - t0;
    row.tokensPerSecond = row.timeStepMs > 0 ? (row.tokens * 1000) / row.timeStepMs : 0;
    row.time = new Date().toISOString();
    if (faults && before) {
      row.serviceRetries = faults.retries - before.retries;
      row.policyResyncs = faults.resyncs - before.resyncs;
    }
    this.step += 1;
    this.stageStep = stageStep;
    await this.metrics.append(row);
    this.o.events.step(row);
    this.o.events.progress({ step: this.step, stage: this.stage, stageStep });
  }

  /** The examples of step `stageStep` (1-based) of the current stage: its first round for RL stages. */
  private stepExamples(spec: StageSpec, stageStep: number): Example[] {
    const pool = this.pool(spec);
    const idx = batchIndices(pool.length, firstRoundPrompts(spec), this.o.config.seed, this.stage, stageStep);
    return idx.map((i) => pool[i] as Example);
  }

  /**
   * Rounds of sampling a grpo step may take to fill its batch with informative groups (DAPO's
   * dynamic sampling: `dynamicSampling.maxRounds` when the stage's algorithm enables it), else 1.
   */
  private samplingRounds(spec: StageSpec): number {
    if (spec.type !== 'grpo') return 1;
    const ds = dynamicSamplingOf(spec.algorithm ?? DEFAULT_ALGORITHM);
    return ds.enabled ? ds.maxRounds : 1;
  }

  /** One round of a step: sample groups for `examples` from the rollout service and score them. */
  private async sampleRound(spec: StageSpec, examples: Example[], round: number): Promise<SampledRound> {
    const t = performance.now();
    const rollout = await this.requestRound(spec, examples, round, this.step + 1);
    return this.scoreRound(spec, examples, rollout, performance.now() - t);
  }

  /** Asks the rollout service for the groups of round `round` of global step `step` (1-based). */
  private requestRound(
    spec: StageSpec,
    examples: Example[],
    round: number,
    step: number,
  ): Promise<RolloutResponse> {
    const sampling = rlSampling(spec);
    return (this.o.services as RunServices).rollout({
      prompts: examples.map((e) => ({ tokenIds: this.promptIds(e) })),
      groupSize: spec.groupSize,
      temperature: sampling.temperature,
      topP: sampling.topP,
      topK: sampling.topK,
      maxTokens: sampling.maxTokens,
      ...(spec.tools ? { tools: spec.tools } : {}),
      // Round 0 keeps the seed of runs without dynamic sampling.
      seed:
        (round === 0 ? deriveSeed(this.o.config.seed, step) : deriveSeed(this.o.config.seed, step, round)) %
        2 ** 31,
    });
  }

  /**
   * The first round of the current step: the one requested during the previous step's update
   * when there is one (its rollout time is what this step waited for it), else sampled now.
   */
  private async firstRound(spec: StageSpec, examples: Example[]): Promise<SampledRound> {
    const p = this.pending;
    this.pending = null;
    if (!p || p.stage !== this.stage || p.stageStep !== this.stageStep + 1)
      return this.sampleRound(spec, examples, 0);
    const t = performance.now();
    const rollout = await p.rollout;
    return this.scoreRound(spec, examples, rollout, performance.now() - t);
  }

  /** Requests the first round of step `stageStep` now; the step after this one picks it up. */
  private prefetch(spec: StageSpec, stageStep: number): void {
    const rollout = this.requestRound(spec, this.stepExamples(spec, stageStep), 0, this.step + 2);
    // Awaited by the next step (or a checkpoint); until then a failure must not be unhandled.
    rollout.catch(() => undefined);
    this.pending = { stage: this.stage, stageStep, rollout };
  }

  /** Scores a rollout of `examples` with the reward service: the round's groups, results and lengths. */
  private async scoreRound(
    spec: StageSpec,
    examples: Example[],
    rollout: RolloutResponse,
    rolloutMs: number,
  ): Promise<SampledRound> {
    const services = this.o.services as RunServices;
    const { config } = this.o;
    const items: RewardItem[] = [];
    rollout.groups.forEach((g, i) => {
      const e = examples[i] as Example;
      g.completions.forEach((c, j) => {
        items.push({
          id: `${i}:${j}`,
          prompt: e.prompt,
          completion: c.text,
          reference: e.answer,
          ...(e.language ? { language: e.language } : {}),
        });
      });
    });
    const t = performance.now();
    const scored = await services.reward({ items, rewards: config.rewards });
    const rewardMs = performance.now() - t;
    const totals = scored.results.map((r) => r.total);
    const groups: Group[] = [];
    const lens: number[] = [];
    let k = 0;
    rollout.groups.forEach((g, i) => {
      const promptIds = g.promptTokenIds ?? this.promptIds(examples[i] as Example);
      const samples = g.completions.map((c) => {
        lens.push(modelLength(c));
        const room = Math.max(0, config.maxSeqTokens - promptIds.length);
        const mask = trainMask(c, spec);
        return {
          promptIds,
          completionIds: c.tokenIds.slice(0, room),
          logprobs: c.logprobs.slice(0, room),
          ...(mask ? { lossMask: mask.slice(0, room) } : {}),
          reward: totals[k++] as number,
        };
      });
      groups.push({ samples });
    });
    return {
      groups,
      results: scored.results,
      lens,
      rolloutMs,
      rewardMs,
      completions: rollout.groups.flatMap((g) => g.completions),
    };
  }

  /** grpo and rejection_sampling: sample, score, update, sync. */
  private async rlStep(spec: StageSpec, examples: Example[], lr: number, row: MetricRow): Promise<void> {
    const { config } = this.o;
    if (this.syncedStep < 0) row.timeSyncMs += await this.sync();
    const rounds = [await this.firstRound(spec, examples)];
    // DAPO dynamic sampling: groups whose rewards are all equal carry no signal; sample more
    // prompts (drawn from the pool by (seed, stage, step, round), so a resumed run redraws the
    // same ones) until `batch` informative groups are in hand or the rounds run out.
    const maxRounds = this.samplingRounds(spec);
    const rewardsOf = (r: SampledRound) => r.groups.map((g) => g.samples.map((x) => x.reward));
    // The same filter the algorithm step applies, so the groups kept here are the ones it trains on.
    const informative = (r: SampledRound) => informativeGroups(rewardsOf(r)).map((i) => r.groups[i] as Group);
    let useful = informative(rounds[0]!);
    const pool = this.pool(spec);
    for (let r = 1; r < maxRounds && useful.length < spec.batch; r++) {
      const idx = permutation(pool.length, deriveSeed(config.seed, this.stage, this.stageStep + 1, r)).slice(
        0,
        spec.batch,
      );
      const round = await this.sampleRound(
        spec,
        idx.map((i) => pool[i] as Example),
        r,
      );
      rounds.push(round);
      useful = useful.concat(informative(round));
    }
    const groups = maxRounds > 1 && useful.length > 0 ? useful.slice(0, spec.batch) : rounds[0]!.groups;
    const results = rounds.flatMap((r) => r.results);
    Object.assign(row, summariseRewards(results, config.accuracyReward));
    row.timeRolloutMs = rounds.reduce((a, r) => a + r.rolloutMs, 0);
    row.timeRewardMs = rounds.reduce((a, r) => a + r.rewardMs, 0);
    row.sampleRounds = rounds.length;
    row.tools = toolMetrics(
      rounds.flatMap((r) => r.completions),
      spec,
    );
    row.zeroStdFraction = zeroStdFraction(rounds.flatMap(rewardsOf));
    lengthStats(
      row,
      rounds.flatMap((r) => r.lens),
    );
    // overlapRollout: the next step's first round samples on the rollout service during this update.
    if (spec.type === 'grpo' && spec.overlapRollout && this.stageStep + 1 < spec.steps) {
      this.prefetch(spec, this.stageStep + 2);
      // Let the request go out before the update holds the event loop, so the rollout service
      // queues it ahead of the weight sync that follows the update.
      await new Promise((r) => setImmediate(r));
    }
    const t = performance.now();
    if (spec.type === 'grpo') {
      const r = await this.runner.grpo(
        groups,
        lr,
        rlSampling(spec).temperature || 1,
        spec.algorithm ?? DEFAULT_ALGORITHM,
      );
      Object.assign(row, {
        loss: r.loss,
        gradNorm: r.gradNorm,
        kl: r.kl,
        entropy: r.entropy,
        clipFraction: r.clipFraction,
        tokens: r.tokens,
      });
      if (r.critic) Object.assign(row, r.critic);
    } else {
      // Rejection sampling (R1 §2.3.3): keep what the reward accepts, SFT on it.
      const kept: ScoreSequence[] = [];
      for (const g of groups) {
        for (const s of g.samples) {
          if (s.reward < spec.acceptThreshold) continue;
          const seq = this.sftSequence(s.promptIds, s.completionIds);
          if (seq) kept.push(seq);
        }
      }
      row.acceptedFraction = results.length ? kept.length / results.length : 0;
      if (kept.length > 0) {
        const r = await this.runner.sft(kept, lr);
        Object.assign(row, { loss: r.loss, gradNorm: r.gradNorm, tokens: r.tokens });
      }
    }
    row.timeTrainMs = performance.now() - t;
    if ((this.stageStep + 1) % config.syncEvery === 0) row.timeSyncMs += await this.sync(this.step + 1);
  }

  /**
   * Pushes the current weights to the rollout service: a HF folder under `<runDir>/sync/`,
   * then `PUT /v1/policy {path}`; the previous folder is deleted once the service has loaded
   * the new one. Returns the time taken.
   */
  private async sync(step = this.step): Promise<number> {
    const t = performance.now();
    const dir = path.resolve(this.o.runDir, SYNC_DIR, `step-${step}`);
    await fs.rm(dir, { recursive: true, force: true });
    await saveModelFolder(dir, this.modelConfig, this.runner.tensors(), this.baseModelDir);
    await (this.o.services as RunServices).putPolicy({ path: dir });
    if (this.syncedDir && this.syncedDir !== dir)
      await fs.rm(this.syncedDir, { recursive: true, force: true });
    this.syncedDir = dir;
    this.syncedStep = step;
    return performance.now() - t;
  }

  /** An eval stage: one completion per held-out prompt (greedy by default), scored by the reward spec. */
  private async evaluate(
    spec: StageSpec,
    name: string,
    pool = spec.split === 'eval' ? this.data.eval : this.data.train,
    split: string = spec.split,
  ): Promise<EvalRecord> {
    const services = this.o.services as RunServices;
    const { config } = this.o;
    if (this.syncedStep !== this.step) await this.sync();
    const examples = pool.slice(0, spec.evalCount);
    const sampling = { temperature: 0, topP: 1, topK: 0, maxTokens: 256, ...spec.sampling };
    const results = [];
    const lens: number[] = [];
    for (let i = 0; i < examples.length; i += EVAL_CHUNK) {
      const chunk = examples.slice(i, i + EVAL_CHUNK);
      const r = await services.rollout({
        prompts: chunk.map((e) => ({ tokenIds: this.promptIds(e) })),
        groupSize: 1,
        temperature: sampling.temperature,
        topP: sampling.topP,
        topK: sampling.topK,
        maxTokens: sampling.maxTokens,
        ...(spec.tools ? { tools: spec.tools } : {}),
        seed: deriveSeed(config.seed, 0x6576, this.stage, i) % 2 ** 31,
      });
      const items: RewardItem[] = r.groups.map((g, j) => {
        const e = chunk[j] as Example;
        const c = g.completions[0];
        lens.push(c?.tokenIds.length ?? 0);
        return {
          id: String(i + j),
          prompt: e.prompt,
          completion: c?.text ?? '',
          reference: e.answer,
          ...(e.language ? { language: e.language } : {}),
        };
      });
      results.push(...(await services.reward({ items, rewards: config.rewards })).results);
    }
    const s = summariseRewards(results, config.accuracyReward);
    const rec: EvalRecord = {
      stage: this.stage,
      name,
      step: this.step,
      split,
      count: examples.length,
      accuracy: s.accuracy ?? 0,
      rewardMean: s.rewardMean,
      rewards: s.rewards,
      completionLengthMean: mean(lens),
      time: new Date().toISOString(),
    };
    await this.metrics.appendEval(rec);
    return rec;
  }
}

function lengthStats(row: MetricRow, lens: readonly number[]): void {
  if (lens.length === 0) return;
  row.completionLengthMean = mean(lens);
  row.completionLengthMin = Math.min(...lens);
  row.completionLengthMax = Math.max(...lens);
}

/** A metric row with every fixed key present: numbers the stage does not produce are null. */
export function emptyRow(
  step: number,
  stage: number,
  stageType: StageType,
  stageStep: number,
  lr: number,
): MetricRow {
  return {
    step,
    stage,
    stageType,
    stageStep,
    time: '',
    lr,
    loss: null,
    gradNorm: null,
    rewardMean: null,
    rewardStd: null,
    rewards: {},
    accuracy: null,
    kl: null,
    entropy: null,
    clipFraction: null,
    completionLengthMean: null,
    completionLengthMin: null,
    completionLengthMax: null,
    zeroStdFraction: null,
    sampleRounds: null,
    acceptedFraction: null,
    timeRolloutMs: 0,
    timeRewardMs: 0,
    timeTrainMs: 0,
    timeSyncMs: 0,
    timeStepMs: 0,
    tokens: 0,
    tokensPerSecond: 0,
    tools: null,
  };
}
