import { compileGraph, Graph } from '@grpo/graph';
import { disposeTensor, type OnnxSession, type SessionOptions, type Tensor } from '@grpo/onnx';
import type { ModelConfig } from './config.js';
import { BAD_INPUT, ModelError } from './errors.js';
import { DeviceKvCache } from './graph/device-kv.js';
import { checkTokenIds, int64Tensor, RopeTables, weightFeeds } from './graph/feeds.js';
import { buildKvGraph, type WeightMode } from './graph/graphs.js';
import { HostKvCache } from './graph/kv-cache.js';
import { type InteractiveCompletion, runInteractive, type SequenceHook } from './interactive.js';
import { createRng, type Rng } from './rng.js';
import type { TensorMap } from './safetensors.js';
import { findStop, isEos, type SamplingParams, sampleToken, validateSamplingParams } from './sampler.js';
import type { HfTokenizer } from './tokenizer.js';
import { parameterSpecs } from './weights.js';

/** Most sequences (prompts x groupSize) in one `generate` call unless `maxSequences` says otherwise. */
export const DEFAULT_MAX_SEQUENCES = 256;

/** Weight placement of the engine's prefill and decode sessions (see `EngineOptions.weights`). */
export type EngineWeights = WeightMode | 'auto';

function modes(w: EngineWeights | undefined): { prefill: WeightMode; decode: WeightMode } {
  const m = w ?? 'auto';
  if (m === 'auto') return { prefill: 'inputs', decode: 'constants' };
  if (m !== 'inputs' && m !== 'constants')
    throw new ModelError(BAD_INPUT, 'weights', `weights must be inputs, constants or auto, got ${String(m)}`);
  return { prefill: m, decode: m };
}

export interface EngineOptions {
  /** ORT session options (threads, execution provider). */
  session?: SessionOptions;
  /**
   * Where the weights live. `inputs`: fed to both sessions on every run, so `swapWeights` builds
   * nothing. `constants`: baked into both sessions as initializers, so ORT pre-packs the GEMM
   * weights once (decode GEMMs have only batch rows, so re-packing fed weights every step
   * dominates); `swapWeights` rebuilds both sessions. `auto` (default): prefill takes inputs
   * (its GEMMs have many rows, so packing is amortised) and decode constants, so a swap
   * rebuilds one session. Measured in the README.
   */
  weights?: EngineWeights;
  /** Cap on prompts x groupSize per call (default 256). */
  maxSequences?: number;
  /**
   * Where the KV cache lives between decode steps. `auto` (default): on the device with the
   * webgpu provider (`DeviceKvCache`), else on the host (`HostKvCache`). `host` forces the host
   * cache, which copies the whole cache to the device and back every step (the GPU check
   * measures the difference).
   */
  kvCache?: 'auto' | 'host';
}

/** Sampling settings and limits of one group (shared by every prompt of a `generate` call). */
export interface GroupSettings {
  /** Completions per prompt (G of GRPO); default 1. The prompt is prefilled once per group. */
  groupSize?: number;
  /** >= 0; 0 is greedy. Default 1. */
  temperature?: number;
  /** (0, 1]; default 1 (off). */
  topP?: number;
  /** 0 or -1: off (default). */
  topK?: number;
  /** Most new tokens per completion (>= 1). */
  maxTokens: number;
  /** Stop strings: the completion ends when its text contains one (text cut before it). Needs a tokenizer. */
  stop?: readonly string[];
  /** Default: the config's eos_token_id list. */
  eosTokenIds?: readonly number[];
  /** RNG seed (a safe integer); default 0. Which streams of it a sample uses: see the request types. */
  seed?: number;
}

/** Sequence (prompt i, sample j) draws from createRng(seed, i * groupSize + j). */
export interface GenerateRequest extends GroupSettings {
  /** Prompt token ids, one array (>= 1 id) per prompt. */
  prompts: readonly (readonly number[])[];
}

/**
 * One group of `generateGroups`: G completions of one prompt with its own sampling params,
 * limits, stop strings and RNG streams, so groups of unrelated requests can share one batched
 * run and each still samples what it would sample alone. Sample j draws from
 * createRng(seed, stream + j).
 */
export interface GroupRequest extends GroupSettings {
  /** Prompt token ids (>= 1 id). Prefilled once for the whole group. */
  promptIds: readonly number[];
  /** First RNG stream of the group (a safe integer >= 0); default 0, i.e. streams 0..G-1 of `seed`. */
  stream?: number;
}

/** A group of `generateInteractive`: sample j pauses and resumes through `hook(j)`. */
export interface InteractiveGroupRequest extends GroupRequest {
  hook: (sample: number) => SequenceHook;
}

export interface InteractiveResult {
  completions: InteractiveCompletion[][];
  promptTokens: number;
  /** Sampled tokens (inserted ones excluded). */
  generatedTokens: number;
}

export interface EngineCompletion {
  /** Generated ids, including a final EOS id when generation ended on one. */
  tokenIds: number[];
  /** Per generated token: log p under softmax(logits / T), before top-k/top-p (see sampler.ts). */
  logprobs: number[];
  /** Decoded completion without a final EOS token and cut before a stop string; null without a tokenizer. */
  text: string | null;
  /** OpenAI convention: `stop` for EOS or a stop string, `length` for maxTokens or the context limit. */
  finishReason: 'stop' | 'length';
  /** The EOS id or stop string that ended generation (vLLM's `stop_reason`), else null. */
  stopReason: number | string | null;
}

export interface GenerateResult {
  /** completions[i][j]: sample j of prompt i (of group i for `generateGroups`). */
  completions: EngineCompletion[][];
  /** Tokens run through prefill and decode (for throughput figures). */
  promptTokens: number;
  generatedTokens: number;
}

/** What the engine needs of a loaded policy (a `Policy` from `loadPolicy` fits). */
export interface EnginePolicy {
  config: ModelConfig;
  tensors: TensorMap;
  tokenizer?: HfTokenizer | null;
}

interface Sessions {
  prefill: OnnxSession;
  decode: OnnxSession;
  /** Weight feeds of each session ({} when its weights are constants). */
  prefillWeights: Record<string, Tensor>;
  decodeWeights: Record<string, Tensor>;
  /** webgpu with fed weights: the Identity session that copies them to the device once per policy. */
  uploader: OnnxSession | null;
  /** The device copies it made (disposed when the policy is swapped). */
  uploaded: Record<string, Tensor>;
}

/**
 * On webgpu, fed weights are uploaded once (through an Identity session whose outputs stay on
 * the device) and the device copies are fed every run, instead of copying every weight to the
 * device on every prefill and decode step.
 */
async function uploadWeights(
  c: ModelConfig,
  feeds: Record<string, Tensor>,
  o: EngineOptions,
  uploader: OnnxSession | null,
): Promise<{ uploader: OnnxSession; uploaded: Record<string, Tensor> }> {
  let s = uploader;
  if (!s) {
    const g = new Graph();
    for (const [name, shape] of parameterSpecs(c)) g.output(name, g.input(name, 'float32', shape));
    s = await compileGraph(g, { ...o.session, deviceOutputs: 'all' });
  }
  return { uploader: s, uploaded: await s.run(feeds) };
}

async function buildSession(
  c: ModelConfig,
  tensors: TensorMap,
  o: EngineOptions,
  past: boolean,
  mode: WeightMode,
): Promise<OnnxSession> {
  const device = onDevice(o);
  const g = buildKvGraph(c, { past, logits: past ? 'all' : 'last', weights: mode, tensors, present: device });
  if (!device) return compileGraph(g, o.session);
  // The cache stays on the device: prefill's kv.* and decode's present.* are gpu-buffer outputs.
  const kv = g.outputNames().filter((n) => n.startsWith(past ? 'present.' : 'kv.'));
  return compileGraph(g, { ...o.session, deviceOutputs: kv });
}

/** Whether the engine keeps its KV cache on the device (the webgpu provider). */
function onDevice(o: EngineOptions): boolean {
  return o.session?.executionProvider === 'webgpu' && (o.kvCache ?? 'auto') === 'auto';
}

/** Builds the sessions; `reuse` keeps the sessions whose weights are fed (nothing to rebuild on a swap). */
async function buildSessions(
  c: ModelConfig,
  tensors: TensorMap,
  o: EngineOptions,
  reuse?: Sessions,
): Promise<Sessions> {
  const m = modes(o.weights);
  let feeds = weightFeeds(c, tensors); // validates every tensor against the config
  let up: { uploader: OnnxSession | null; uploaded: Record<string, Tensor> } = {
    uploader: reuse?.uploader ?? null,
    uploaded: {},
  };
  if (o.session?.executionProvider === 'webgpu' && (m.prefill === 'inputs' || m.decode === 'inputs')) {
    up = await uploadWeights(c, feeds, o, up.uploader);
    feeds = up.uploaded;
  }
  const prefill =
    reuse && m.prefill === 'inputs' ? reuse.prefill : await buildSession(c, tensors, o, false, m.prefill);
  const decode =
    reuse && m.decode === 'inputs' ? reuse.decode : await buildSession(c, tensors, o, true, m.decode);
  return {
    prefill,
    decode,
    prefillWeights: m.prefill === 'inputs' ? feeds : {},
    decodeWeights: m.decode === 'inputs' ? feeds : {},
    ...up,
  };
}

/** A validated group: every default filled in. */
interface Group {
  promptIds: readonly number[];
  groupSize: number;
  sampling: SamplingParams;
  maxTokens: number;
  stop: readonly string[];
  eos: readonly number[];
  seed: number;
  stream: number;
}

interface Row {
  group: Group;
  /** Index of the group in the run (its prefill row). */
  groupIndex: number;
  sample: number;
  rng: Rng;
  tokenIds: number[];
  logprobs: number[];
  text: string;
  done: EngineCompletion | null;
}

/**
 * The sampling engine on the KV-cache graphs: one prefill of each distinct prompt (left-padded
 * batch, per-sequence positions), its cache replicated for the group's G samples, then batched
 * decode of every unfinished sequence, one token per step, sampled on the host with
 * `sampleToken` (so the reported logprob is the one the logprob graph recomputes). Every group
 * carries its own sampling params, maxTokens, stop strings, EOS ids and RNG streams
 * (`generateGroups`); `generate` is the one-setting-per-call form of it.
 */
export class PolicyEngine {
  readonly config: ModelConfig;
  private tokenizer: HfTokenizer | null;
  private readonly options: EngineOptions;
  private readonly rope: RopeTables;
  private sessions: Sessions;
  /** The device-resident KV cache (webgpu), else null: the host cache is used. */
  private readonly deviceCache: DeviceKvCache | null;
  /** Serialises generate and swapWeights, so a swap never lands mid-generation. */
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    policy: EnginePolicy,
    sessions: Sessions,
    options: EngineOptions,
    deviceCache: DeviceKvCache | null,
  ) {
    this.deviceCache = deviceCache;
    this.config = policy.config;
    this.tokenizer = policy.tokenizer ?? null;
    this.options = options;
    this.sessions = sessions;
    this.rope = new RopeTables(policy.config);
  }

  static async create(policy: EnginePolicy, options: EngineOptions = {}): Promise<PolicyEngine> {
    const max = options.maxSequences ?? DEFAULT_MAX_SEQUENCES;
    if (!Number.isInteger(max) || max < 1)
      throw new ModelError(BAD_INPUT, 'maxSequences', `maxSequences must be an integer >= 1, got ${max}`);
    modes(options.weights);
    const sessions = await buildSessions(policy.config, policy.tensors, options);
    const device = onDevice(options) ? await DeviceKvCache.create(policy.config, options.session!) : null;
    return new PolicyEngine(policy, sessions, options, device);
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Replaces the policy weights (same architecture; checked tensor by tensor). Sessions with
   * fed weights keep running with the new feeds; sessions with constant weights are rebuilt and
   * the old ones released. Waits for a running `generate` to finish first.
   */
  swapWeights(tensors: TensorMap, tokenizer?: HfTokenizer | null): Promise<void> {
    return this.exclusive(async () => {
      const old = this.sessions;
      const next = await buildSessions(this.config, tensors, this.options, old);
      this.sessions = next;
      if (next.prefill !== old.prefill) await old.prefill.release();
      if (next.decode !== old.decode) await old.decode.release();
      for (const t of Object.values(old.uploaded)) disposeTensor(t);
      if (tokenizer !== undefined) this.tokenizer = tokenizer;
    });
  }

  /**
   * Samples `groupSize` completions for every prompt with one set of sampling params; sample j
   * of prompt i draws from createRng(seed, i * groupSize + j).
   */
  generate(req: GenerateRequest): Promise<GenerateResult> {
    return this.exclusive(async () => this.run(this.validate(req)));
  }

  /**
   * Samples every group in one prefill and one decode loop; group i's sample j draws from
   * createRng(seed_i, stream_i + j), so a group samples the same wherever it sits in the batch.
   * Errors name the field as `groups[i].<field>`.
   */
  generateGroups(groups: readonly GroupRequest[]): Promise<GenerateResult> {
    return this.exclusive(async () => this.run(this.validateGroups(groups)));
  }

  /**
   * Like `generateGroups`, but a sequence may pause (its hook says when), wait for ids from
   * outside (a tool's output) and continue on its kept KV cache, prefilling only those ids;
   * the others keep decoding meanwhile (see interactive.ts). `maxTokens` counts sampled and
   * inserted ids. Needs a tokenizer (hooks see the text).
   */
  generateInteractive(groups: readonly InteractiveGroupRequest[]): Promise<InteractiveResult> {
    return this.exclusive(async () => {
      const tok = this.tokenizer;
      if (!tok)
        throw new ModelError(BAD_INPUT, 'groups', 'interactive generation needs an engine with a tokenizer');
      const valid = this.validateGroups(groups);
      valid.forEach((_, i) => {
        if (typeof groups[i]!.hook !== 'function')
          throw new ModelError(BAD_INPUT, `groups[${i}].hook`, 'hook must be a function of the sample index');
      });
      const s = this.sessions;
      return runInteractive(
        {
          config: this.config,
          tokenizer: tok,
          rope: this.rope,
          prefill: s.prefill,
          decode: s.decode,
          prefillWeights: s.prefillWeights,
          decodeWeights: s.decodeWeights,
        },
        valid.map((g, i) => ({ ...g, hook: groups[i]!.hook })),
      );
    });
  }

  private maxSequences(): number {
    return this.options.maxSequences ?? DEFAULT_MAX_SEQUENCES;
  }

  private checkPrompt(p: readonly number[], field: string): void {
    const c = this.config;
    if (!Array.isArray(p) || p.length === 0)
      throw new ModelError(BAD_INPUT, field, 'each prompt must hold at least one token id');
    if (p.length > c.maxPositionEmbeddings)
      throw new ModelError(
        BAD_INPUT,
        field,
        `prompt of ${p.length} tokens exceeds max_position_embeddings ${c.maxPositionEmbeddings}`,
      );
    checkTokenIds(p, c.vocabSize, field);
  }

  /** Checks the per-group fields; `at` turns a field name into its path in the request. */
  private checkFields(r: GroupSettings, at: (field: string) => string): Omit<Group, 'promptIds' | 'stream'> {
    const G = r.groupSize ?? 1;
    if (!Number.isInteger(G) || G < 1)
      throw new ModelError(BAD_INPUT, at('groupSize'), `groupSize must be an integer >= 1, got ${G}`);
    if (!Number.isInteger(r.maxTokens) || r.maxTokens < 1)
      throw new ModelError(
        BAD_INPUT,
        at('maxTokens'),
        `maxTokens must be an integer >= 1, got ${r.maxTokens}`,
      );
    const seed = r.seed ?? 0;
    if (!Number.isSafeInteger(seed))
      throw new ModelError(BAD_INPUT, at('seed'), `seed must be a safe integer, got ${seed}`);
    const stop = r.stop ?? [];
    if (stop.length) {
      if (!this.tokenizer)
        throw new ModelError(BAD_INPUT, at('stop'), 'stop strings need an engine with a tokenizer');
      stop.forEach((s, i) => {
        if (typeof s !== 'string' || s.length === 0)
          throw new ModelError(BAD_INPUT, at(`stop[${i}]`), 'stop strings must be non-empty strings');
      });
    }
    const sampling: SamplingParams = {
      temperature: r.temperature ?? 1,
      ...(r.topP !== undefined ? { topP: r.topP } : {}),
      ...(r.topK !== undefined ? { topK: r.topK } : {}),
    };
    try {
      validateSamplingParams(sampling);
    } catch (e) {
      if (e instanceof ModelError) throw new ModelError(e.code, at(e.field), e.message);
      throw e;
    }
    return {
      groupSize: G,
      sampling,
      maxTokens: r.maxTokens,
      stop,
      eos: r.eosTokenIds ?? this.config.eosTokenIds,
      seed,
    };
  }

  private validate(req: GenerateRequest): Group[] {
    if (!Array.isArray(req.prompts) || req.prompts.length === 0)
      throw new ModelError(BAD_INPUT, 'prompts', 'prompts must be a non-empty array of token-id arrays');
    const fields = this.checkFields(req, (f) => f);
    const G = fields.groupSize;
    const max = this.maxSequences();
    if (req.prompts.length * G > max)
      throw new ModelError(
        BAD_INPUT,
        'groupSize',
        `prompts x groupSize = ${req.prompts.length * G} exceeds maxSequences ${max}`,
      );
    for (const [i, p] of req.prompts.entries()) this.checkPrompt(p, `prompts[${i}]`);
    return req.prompts.map((promptIds, i) => ({ ...fields, promptIds, stream: i * G }));
  }

  private validateGroups(groups: readonly GroupRequest[]): Group[] {
    if (!Array.isArray(groups) || groups.length === 0)
      throw new ModelError(BAD_INPUT, 'groups', 'groups must be a non-empty array');
    const out = groups.map((g, i) => {
      const at = (f: string) => `groups[${i}].${f}`;
      this.checkPrompt(g.promptIds, at('promptIds'));
      const stream = g.stream ?? 0;
      if (!Number.isSafeInteger(stream) || stream < 0)
        throw new ModelError(BAD_INPUT, at('stream'), `stream must be a safe integer >= 0, got ${stream}`);
      return { ...this.checkFields(g, at), promptIds: g.promptIds, stream };
    });
    const rows = out.reduce((n, g) => n + g.groupSize, 0);
    const max = this.maxSequences();
    if (rows > max)
      throw new ModelError(
        BAD_INPUT,
        'groups',
        `groups hold ${rows} sequences, more than maxSequences ${max}`,
      );
    return out;
  }

  private async run(groups: readonly Group[]): Promise<GenerateResult> {
    const c = this.config;
    const V = c.vocabSize;
    const s = this.sessions;
    const P = groups.length;

    // Prefill every distinct prompt once, left-padded to the longest: slots [L - len, L) hold
    // the prompt at positions 0..len-1, so the last slot is every prompt's last token.
    const L = Math.max(...groups.map((g) => g.promptIds.length));
    const ids = new Array<number>(P * L).fill(0);
    const mask = new Array<number>(P * L).fill(0);
    const pos = new Array<number>(P * L).fill(0);
    groups.forEach((g, i) => {
      const off = L - g.promptIds.length;
      for (let t = 0; t < g.promptIds.length; t++) {
        ids[i * L + off + t] = g.promptIds[t]!;
        mask[i * L + off + t] = 1;
        pos[i * L + off + t] = t;
      }
    });
    const rope = this.rope.tensors(pos, P, L);
    const pre = await s.prefill.run({
      ...s.prefillWeights,
      input_ids: int64Tensor(ids, [P, L]),
      attention_mask: int64Tensor(mask, [P, L]),
      rope_cos: rope.cos,
      rope_sin: rope.sin,
    });

    // Replicate each group's cache and logits G times, groups in order.
    const rows: Row[] = [];
    const srcRows: number[] = [];
    groups.forEach((group, i) => {
      for (let j = 0; j < group.groupSize; j++) {
        srcRows.push(i);
        rows.push({
          group,
          groupIndex: i,
          sample: j,
          rng: createRng(group.seed, group.stream + j),
          tokenIds: [],
          logprobs: [],
          text: '',
          done: null,
        });
      }
    });
    // Slots: the prompt plus every decode step; a step feeds a token that is not the last one
    // (never fed back) and sits below max_position_embeddings. The buffer starts small and
    // doubles as needed.
    const shortest = Math.min(...groups.map((g) => g.promptIds.length));
    const longestRun = Math.max(...groups.map((g) => g.maxTokens));
    const steps = Math.min(longestRun - 1, c.maxPositionEmbeddings - shortest);
    const dev = this.deviceCache;
    const cache = dev
      ? null
      : new HostKvCache(c, rows.length, L + Math.min(steps, Math.max(L, 32)), L + steps);
    if (dev) await dev.start(pre, srcRows, mask);
    else cache!.append(pre, srcRows, mask);
    const preLogits = pre.logits!.data as Float32Array;
    let logits: Float32Array[] = srcRows.map((i) => preLogits.subarray(i * V, (i + 1) * V));
    let active = rows.map((_, r) => r); // indices into rows, in cache row order
    let generated = 0;

    for (;;) {
      generated++;
      const stillActive: number[] = [];
      active.forEach((r, a) => {
        const row = rows[r]!;
        const { tokenId, logprob } = sampleToken(logits[a]!, row.group.sampling, row.rng);
        row.tokenIds.push(tokenId);
        row.logprobs.push(logprob);
        if (this.finish(row, tokenId, generated)) return;
        stillActive.push(a);
      });
      if (stillActive.length === 0) break;
      if (stillActive.length < active.length) {
        if (dev) await dev.keepRows(stillActive);
        else cache!.keepRows(stillActive);
        active = stillActive.map((a) => active[a]!);
      }
      // One decode step for every active row: its last token at position promptLength + generated - 1.
      const A = active.length;
      const stepIds = active.map((r) => rows[r]!.tokenIds[generated - 1]!);
      const stepPos = active.map((r) => rows[r]!.group.promptIds.length + generated - 1);
      const r = this.rope.tensors(stepPos, A, 1);
      const out = await s.decode.run({
        ...s.decodeWeights,
        ...(dev ? dev.feeds() : cache!.feeds(1)),
        input_ids: int64Tensor(stepIds, [A, 1]),
        rope_cos: r.cos,
        rope_sin: r.sin,
      });
      if (dev) dev.advance(out);
      else cache!.append(out);
      const lg = out.logits!.data as Float32Array;
      logits = active.map((_, a) => lg.subarray(a * V, (a + 1) * V));
    }
    dev?.dispose();
    const completions: EngineCompletion[][] = groups.map(() => []);
    let generatedTokens = 0;
    for (const row of rows) {
      completions[row.groupIndex]![row.sample] = row.done!;
      generatedTokens += row.tokenIds.length;
    }
    return { completions, promptTokens: groups.reduce((n, g) => n + g.promptIds.length, 0), generatedTokens };
  }

  /** Decides whether `row` is finished after sampling `tokenId`; records its completion. */
  private finish(row: Row, tokenId: number, generated: number): boolean {
    const tok = this.tokenizer;
    const { eos, stop, maxTokens } = row.group;
    const promptLength = row.group.promptIds.length;
    // The HF tokenizer rejects an empty id list; an empty completion decodes to ''.
    const decode = (ids: number[]) => (ids.length === 0 ? '' : tok!.decode(ids));
    const done = (
      finishReason: 'stop' | 'length',
      stopReason: number | string | null,
      text: string | null,
    ) => {
      row.done = { tokenIds: row.tokenIds, logprobs: row.logprobs, text, finishReason, stopReason };
      return true;
    };
    if (isEos(tokenId, eos)) return done('stop', tokenId, tok ? decode(row.tokenIds.slice(0, -1)) : null);
    if (tok && stop.length) {
      // Incremental decode only when stop strings need the text; otherwise it is decoded once at the end.
      const prev = row.text.length;
      row.text = decode(row.tokenIds);
      const hit = findStop(row.text, stop, prev);
      if (hit) return done('stop', hit.stop, row.text.slice(0, hit.index));
    }
    // The next step would feed this token at position promptLength + generated - 1.
    if (generated >= maxTokens || promptLength + generated > this.config.maxPositionEmbeddings)
      return done('length', null, tok ? decode(row.tokenIds) : null);
    return false;
  }

  async release(): Promise<void> {
    await this.exclusive(async () => {
      await this.sessions.prefill.release();
      await this.sessions.decode.release();
      for (const t of Object.values(this.sessions.uploaded)) disposeTensor(t);
      await this.sessions.uploader?.release();
      await this.deviceCache?.release();
    });
  }
}
