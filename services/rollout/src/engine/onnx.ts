import { RolloutErrorCodes } from '@grpo/contracts';
import { type EngineOptions, type GroupRequest, loadPolicy, type Policy, PolicyEngine } from '@grpo/model';
import type { SessionOptions } from '@grpo/onnx';
import { FieldError } from '@grpo/service-kit';
import { type GroupTools, type ToolTrajectory, toolCompletion } from '../tools/index.js';
import type { EngineGroup, EngineResult, PolicyState, PolicySwap, RolloutEngine } from './types.js';

export interface OnnxEngineOptions {
  /** Most sequences (groups x G) in one run; a request larger than this runs in several. */
  maxBatchSequences: number;
  /** How long the batcher waits for more requests before a run starts (ms). */
  batchWindowMs: number;
  /** Sequences queued or running at most; more is a 503 (default unlimited). */
  maxQueuedSequences?: number;
  session?: SessionOptions;
}

/** A group as PolicyEngine takes it, with its size always set (the batcher counts rows). */
type Group = GroupRequest & { groupSize: number; tools?: GroupTools };

interface Job {
  groups: Group[];
  /** Index of the next group to schedule. */
  next: number;
  completed: number;
  out: EngineResult['completions'];
  version: number;
  promptTokens: number;
  generatedTokens: number;
  resolve: (r: EngineResult) => void;
  reject: (e: unknown) => void;
}

interface PendingSwap {
  engine: PolicyEngine;
  policy: Policy;
  resolve: (s: PolicySwap) => void;
}

/** PolicyEngine settings for a service engine: one run holds at most `maxBatchSequences` rows. */
function policyEngineOptions(o: OnnxEngineOptions): EngineOptions {
  return { maxSequences: o.maxBatchSequences, ...(o.session ? { session: o.session } : {}) };
}

/**
 * The embedded engine. Requests go to a FIFO queue; a scheduler loop waits `batchWindowMs` for
 * requests that arrive together, packs whole groups in arrival order up to `maxBatchSequences`
 * rows and samples them in one `PolicyEngine.generateGroups` call, each group with its own
 * sampling params, maxTokens, stop strings and seed (streams 0..G-1 of it), so a merged group
 * samples what it would sample alone. Policy swaps build a new PolicyEngine while the old one
 * serves and switch between runs, only when no request is half done, so every response comes
 * from one version. (PolicyEngine.swapWeights is not used: a checkpoint may change the
 * architecture or tokenizer.) Each run's KV cache lives on the host for that run only.
 */
export class OnnxEngine implements RolloutEngine {
  readonly kind = 'onnx' as const;
  private queue: Job[] = [];
  private swaps: PendingSwap[] = [];
  private looping = false;
  private version = 1;
  private closed = false;
  /** Batch runs so far and the sequences of each (for tests and the benchmark). */
  readonly stats = { runs: 0, sequencesPerRun: [] as number[] };

  private constructor(
    private engine: PolicyEngine,
    private policy: Policy,
    private readonly options: OnnxEngineOptions,
  ) {}

  static async create(policy: Policy, options: OnnxEngineOptions): Promise<OnnxEngine> {
    return new OnnxEngine(await PolicyEngine.create(policy, policyEngineOptions(options)), policy, options);
  }

  tokenizer() {
    return this.policy.tokenizer;
  }
  maxPositions() {
    return this.policy.config.maxPositionEmbeddings;
  }
  vocabSize() {
    return this.policy.config.vocabSize;
  }

  policyInfo(): PolicyState {
    return { model: modelName(this.policy), version: this.version, engine: 'onnx', path: this.policy.dir };
  }

  generate(groups: readonly EngineGroup[]): Promise<EngineResult> {
    if (this.closed) return Promise.reject(new Error('engine is closed'));
    const sampleGroups: Group[] = groups.map((g) => {
      // The routes tokenise every prompt for this engine (it always has a tokenizer).
      if (!('tokenIds' in g.prompt)) throw new TypeError('the onnx engine takes token-id prompts');
      return {
        promptIds: g.prompt.tokenIds,
        groupSize: g.groupSize,
        ...g.sampling,
        maxTokens: g.maxTokens,
        stop: g.stop,
        seed: g.seed,
        ...(g.tools ? { tools: g.tools } : {}),
      };
    });
    const rows = sampleGroups.reduce((n, g) => n + g.groupSize, 0);
    const queued = this.queue.reduce((n, j) => n + j.groups.reduce((m, g) => m + g.groupSize, 0), 0);
    const cap = this.options.maxQueuedSequences ?? Number.POSITIVE_INFINITY;
    if (queued + rows > cap)
      return Promise.reject(
        new FieldError(
          RolloutErrorCodes.queueFull,
          503,
          'prompts',
          `${queued} sequences are queued; ${rows} more exceed maxQueuedSequences ${cap}, retry later`,
        ),
      );
    return new Promise((resolve, reject) => {
      this.queue.push({
        groups: sampleGroups,
        next: 0,
        completed: 0,
        out: sampleGroups.map(() => []),
        version: this.version,
        promptTokens: 0,
        generatedTokens: 0,
        resolve,
        reject,
      });
      this.kick();
    });
  }

  async loadPolicy(path: string): Promise<PolicySwap> {
    const policy = await loadPolicy(path);
    // Built while the old sessions keep serving; only the pointer swap waits for a batch boundary.
    const engine = await PolicyEngine.create(policy, policyEngineOptions(this.options));
    return new Promise((resolve) => {
      this.swaps.push({ engine, policy, resolve });
      this.kick();
    });
  }

  private kick(): void {
    if (this.looping) return;
    this.looping = true;
    setTimeout(() => void this.loop(), this.options.batchWindowMs);
  }

  private async applySwaps(): Promise<void> {
    // Only between requests: a request split over several runs stays on one version.
    if (this.queue[0] && this.queue[0].next > 0) return;
    while (this.swaps.length) {
      const s = this.swaps.shift()!;
      const old = this.engine;
      const previousVersion = this.version;
      this.engine = s.engine;
      this.policy = s.policy;
      this.version++;
      await old.release();
      for (const j of this.queue) j.version = this.version;
      s.resolve({ version: this.version, previousVersion, model: modelName(s.policy) });
    }
  }

  private async loop(): Promise<void> {
    try {
      for (;;) {
        await this.applySwaps();
        if (this.queue.length === 0) return;
        const picks: { job: Job; index: number }[] = [];
        let rows = 0;
        for (const job of this.queue) {
          while (
            job.next < job.groups.length &&
            rows + job.groups[job.next]!.groupSize <= this.options.maxBatchSequences
          ) {
            if (job.next === 0) job.version = this.version;
            picks.push({ job, index: job.next });
            rows += job.groups[job.next]!.groupSize;
            job.next++;
          }
          if (job.next < job.groups.length) break; // strict FIFO: no overtaking a split request
        }
        this.stats.runs++;
        if (this.stats.sequencesPerRun.length < 10_000) this.stats.sequencesPerRun.push(rows);
        try {
          const res = await this.sample(picks.map((p) => p.job.groups[p.index]!));
          picks.forEach((p, i) => {
            p.job.out[p.index] = res.completions[i]!;
            p.job.completed++;
            p.job.promptTokens += p.job.groups[p.index]!.promptIds.length;
            p.job.generatedTokens += res.completions[i]!.reduce(
              (n, c) => n + (c.lossMask ? c.lossMask.reduce((a, m) => a + m, 0) : c.tokenIds.length),
              0,
            );
          });
          this.finishJobs(null);
        } catch (err) {
          this.finishJobs(new Set(picks.map((p) => p.job)), err);
        }
      }
    } finally {
      this.looping = false;
      if (this.queue.length || this.swaps.length) this.kick();
    }
  }

  /**
   * One batch run. Without tools: `generateGroups`. With any tool group: `generateInteractive`
   * for the whole batch (groups without tools get a hook that never pauses), so trajectories
   * waiting on a tool keep their KV cache while the others decode.
   */
  private async sample(groups: readonly Group[]): Promise<{ completions: EngineResult['completions'] }> {
    if (!groups.some((g) => g.tools)) {
      const res = await this.engine.generateGroups(groups);
      // text is null only without a tokenizer; a loaded policy always has one.
      return { completions: res.completions.map((cs) => cs.map((c) => ({ ...c, text: c.text ?? '' }))) };
    }
    const trajectories: (ToolTrajectory | null)[][] = groups.map(() => []);
    const never = { pause: () => false, resume: async () => ({ end: 'unused' }) };
    const res = await this.engine.generateInteractive(
      groups.map((g, i) => ({
        ...g,
        hook: (j: number) => {
          const t = g.tools ? g.tools.trajectory(j) : null;
          trajectories[i]![j] = t;
          return t ?? never;
        },
      })),
    );
    return {
      completions: res.completions.map((cs, i) =>
        cs.map((c, j) => {
          const t = trajectories[i]![j];
          if (t) return toolCompletion(c, t);
          return {
            tokenIds: c.tokenIds,
            logprobs: c.logprobs,
            text: c.text,
            finishReason: c.finishReason,
            stopReason: c.stopReason,
          };
        }),
      ),
    };
  }

  /** Resolves finished jobs; with `failed`, rejects those jobs instead. */
  private finishJobs(failed: Set<Job> | null, err?: unknown): void {
    const model = modelName(this.policy);
    this.queue = this.queue.filter((job) => {
      if (failed?.has(job)) {
        job.reject(err);
        return false;
      }
      if (job.completed < job.groups.length) return true;
      job.resolve({
        completions: job.out,
        policyVersion: job.version,
        model,
        promptTokens: job.promptTokens,
        generatedTokens: job.generatedTokens,
      });
      return false;
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    while (this.looping || this.queue.length) await new Promise((r) => setTimeout(r, 5));
    for (const s of this.swaps) await s.engine.release();
    this.swaps = [];
    await this.engine.release();
  }
}

/** The model name reported by the API: the checkpoint folder's base name. */
export function modelName(policy: Pick<Policy, 'dir'>): string {
  const parts = policy.dir.split(/[\\/]/).filter(Boolean);
  return parts[parts.length - 1] ?? 'policy';
}
