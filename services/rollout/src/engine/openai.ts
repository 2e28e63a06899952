import { RolloutErrorCodes } from '@grpo/contracts';
import type { HfTokenizer } from '@grpo/model';
import { FieldError } from '@grpo/service-kit';
import { runTurns, toolCompletion } from '../tools/index.js';
import type {
  EngineGroup,
  EngineResult,
  PolicyState,
  PolicySwap,
  RolloutEngine,
  SampledCompletion,
} from './types.js';

export interface OpenAIEngineOptions {
  /** Base URLs of OpenAI-compatible servers (vLLM, SGLang, another rollout service), without /v1. */
  upstreams: readonly string[];
  /** `model` field sent upstream (vLLM checks it against --served-model-name). */
  model: string;
  /** Tokenizer for chat prompts and prompt token ids; null sends text prompts as text. */
  tokenizer: HfTokenizer | null;
  /** Per upstream call (ms). */
  timeoutMs: number;
  /** Further attempts after a failed call, each on the next healthy upstream. */
  retries: number;
  /** First backoff (ms); doubles per attempt. */
  backoffMs: number;
  /** How long a failed upstream is skipped (ms). */
  cooldownMs: number;
  /**
   * What `loadPolicy` does upstream: `sglang` POSTs `{model_path}` to every upstream's
   * `/update_weights_from_disk`; `none` only records the new version (the operator reloads the
   * upstreams, e.g. vLLM replicas restarted on the checkpoint). Default `sglang`.
   */
  weightUpdate?: 'sglang' | 'none';
}

interface Upstream {
  url: string;
  failures: number;
  /** Skipped until this time (ms since epoch). */
  downUntil: number;
}

/** A failure worth retrying elsewhere: connection errors, timeouts, 5xx. */
class RetryableError extends Error {}

interface LegacyChoice {
  index: number;
  text: string;
  finish_reason: string | null;
  stop_reason?: number | string | null;
  logprobs?: { tokens?: string[]; token_logprobs?: (number | null)[] } | null;
}

/** Parses vLLM's `return_tokens_as_token_ids` token strings (`token_id:123`). */
export function parseTokenId(token: string, field: string): number {
  const m = /^token_id:(\d+)$/.exec(token);
  if (!m)
    throw new FieldError(
      RolloutErrorCodes.upstream,
      502,
      field,
      `upstream token "${token}" is not token_id:<n>; the upstream must support return_tokens_as_token_ids`,
    );
  return Number(m[1]);
}

/** Maps one upstream choice into our completion shape. */
export function mapChoice(choice: LegacyChoice, field: string): SampledCompletion {
  const tokens = choice.logprobs?.tokens;
  const lps = choice.logprobs?.token_logprobs;
  if (!tokens || !lps || tokens.length !== lps.length)
    throw new FieldError(
      RolloutErrorCodes.upstream,
      502,
      `${field}.logprobs`,
      'upstream choice has no per-token logprobs',
    );
  return {
    tokenIds: tokens.map((t, i) => parseTokenId(t, `${field}.logprobs.tokens[${i}]`)),
    logprobs: lps.map((x, i) => {
      if (typeof x !== 'number' || !Number.isFinite(x))
        throw new FieldError(
          RolloutErrorCodes.upstream,
          502,
          `${field}.logprobs.token_logprobs[${i}]`,
          `upstream logprob is ${x}`,
        );
      return x;
    }),
    text: choice.text ?? '',
    finishReason: choice.finish_reason === 'stop' ? 'stop' : 'length',
    stopReason: choice.stop_reason ?? null,
  };
}

/**
 * Drives OpenAI-compatible `/v1/completions` servers: one call per group with `n = groupSize`,
 * `logprobs: 1` (the sampled token's logprob is `token_logprobs`; vLLM's top-k list is not used)
 * and `return_tokens_as_token_ids` so token ids survive the text round trip. Groups go round-robin
 * over healthy upstreams; a connection error, timeout or 5xx marks the upstream down for
 * `cooldownMs` and the call is retried on the next one after an exponential backoff. Tool
 * groups run per trajectory and per turn (`toolGroup`).
 */
export class OpenAIEngine implements RolloutEngine {
  readonly kind = 'openai' as const;
  private readonly ups: Upstream[];
  private cursor = 0;
  private version = 1;
  private path: string | null = null;

  constructor(private readonly o: OpenAIEngineOptions) {
    if (o.upstreams.length === 0) throw new Error('the openai engine needs at least one upstream');
    this.ups = o.upstreams.map((url) => ({ url: url.replace(/\/+$/, ''), failures: 0, downUntil: 0 }));
  }

  tokenizer() {
    return this.o.tokenizer;
  }
  maxPositions() {
    return null;
  }
  vocabSize() {
    return null;
  }

  policyInfo(): PolicyState {
    const now = Date.now();
    return {
      model: this.o.model,
      version: this.version,
      engine: 'openai',
      path: this.path,
      upstreams: this.ups.map((u) => ({ url: u.url, healthy: u.downUntil <= now, failures: u.failures })),
    };
  }

  /** The next healthy upstream, round-robin; when all are down, the one that comes back first. */
  private pick(): Upstream {
    const now = Date.now();
    for (let k = 0; k < this.ups.length; k++) {
      const u = this.ups[(this.cursor + k) % this.ups.length]!;
      if (u.downUntil <= now) {
        this.cursor = (this.cursor + k + 1) % this.ups.length;
        return u;
      }
    }
    return this.ups.reduce((a, b) => (b.downUntil < a.downUntil ? b : a));
  }

  private async post(u: Upstream, path: string, body: unknown): Promise<unknown> {
    let res: Response;
    try {
      res = await fetch(`${u.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.o.timeoutMs),
      });
    } catch (err) {
      throw new RetryableError(`${u.url}: ${(err as Error).message}`);
    }
    const text = await res.text();
    if (res.status >= 500) throw new RetryableError(`${u.url}: HTTP ${res.status} ${text.slice(0, 200)}`);
    if (!res.ok)
      throw new FieldError(
        RolloutErrorCodes.upstream,
        502,
        'upstream',
        `${u.url}${path}: HTTP ${res.status} ${text.slice(0, 300)}`,
      );
    try {
      return JSON.parse(text);
    } catch {
      throw new FieldError(RolloutErrorCodes.upstream, 502, 'upstream', `${u.url}${path}: reply is not JSON`);
    }
  }

  /**
   * POSTs with retries over upstreams; returns the reply and marks upstreams up or down.
   * `pin` (a tool trajectory's upstream) is tried first while healthy and follows a failover,
   * so every turn of a trajectory lands where its prefix is cached.
   */
  private async call(path: string, body: unknown, pin?: { up: Upstream | null }): Promise<unknown> {
    const errors: string[] = [];
    for (let attempt = 0; attempt <= this.o.retries; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, this.o.backoffMs * 2 ** (attempt - 1)));
      const u = pin?.up && pin.up.downUntil <= Date.now() ? pin.up : this.pick();
      if (pin) pin.up = u;
      try {
        const out = await this.post(u, path, body);
        u.failures = 0;
        u.downUntil = 0;
        return out;
      } catch (err) {
        if (!(err instanceof RetryableError)) throw err;
        u.failures++;
        u.downUntil = Date.now() + this.o.cooldownMs;
        errors.push(`[${u.url}] ${err.message}`);
      }
    }
    throw new FieldError(
      RolloutErrorCodes.upstream,
      502,
      'upstream',
      `every attempt failed: ${errors.join('; ')}`,
    );
  }

  /**
   * A tool group: each sample is its own trajectory, one /v1/completions call per turn with the
   * token ids so far, pinned to one upstream (prefix caching), seeded by (seed, sample, turn).
   */
  private async toolGroup(g: EngineGroup, i: number): Promise<SampledCompletion[]> {
    const tok = this.o.tokenizer;
    if (!tok || !('tokenIds' in g.prompt) || !g.tools)
      throw new FieldError(
        RolloutErrorCodes.noTokenizer,
        400,
        `prompts[${i}]`,
        'tool rollouts need token-id prompts and a tokenizer',
      );
    const promptIds = g.prompt.tokenIds;
    const tools = g.tools;
    const eos = tok.eosTokenId === null ? [] : [tok.eosTokenId];
    return Promise.all(
      Array.from({ length: g.groupSize }, async (_, j) => {
        const traj = tools.trajectory(j);
        const pin = { up: null as Upstream | null };
        const c = await runTurns(
          traj,
          promptIds,
          { maxTokens: g.maxTokens, eos, maxPositions: null, tokenizer: tok },
          async (ids, maxTokens, turn) => {
            const body = {
              model: this.o.model,
              prompt: ids,
              n: 1,
              max_tokens: maxTokens,
              temperature: g.sampling.temperature,
              top_p: g.sampling.topP ?? 1,
              top_k: g.sampling.topK ?? -1,
              ...(g.stop.length ? { stop: g.stop } : {}),
              seed: (g.seed * 131 + j * 8191 + turn) % 2 ** 53,
              logprobs: 1,
              echo: false,
              return_tokens_as_token_ids: true,
            };
            const out = (await this.call('/v1/completions', body, pin)) as { choices?: LegacyChoice[] };
            const choice = out.choices?.[0];
            if (!choice)
              throw new FieldError(
                RolloutErrorCodes.upstream,
                502,
                `groups[${i}]`,
                'upstream returned no choice',
              );
            return mapChoice(choice, `groups[${i}].samples[${j}].turns[${turn}]`);
          },
        );
        return toolCompletion(c, traj);
      }),
    );
  }

  private async group(g: EngineGroup, i: number): Promise<SampledCompletion[]> {
    if (g.tools) return this.toolGroup(g, i);
    const body = {
      model: this.o.model,
      prompt: 'tokenIds' in g.prompt ? g.prompt.tokenIds : g.prompt.text,
      n: g.groupSize,
      max_tokens: g.maxTokens,
      temperature: g.sampling.temperature,
      top_p: g.sampling.topP ?? 1,
      top_k: g.sampling.topK ?? -1,
      ...(g.stop.length ? { stop: g.stop } : {}),
      seed: g.seed,
      logprobs: 1,
      echo: false,
      return_tokens_as_token_ids: true,
    };
    const out = (await this.call('/v1/completions', body)) as { choices?: LegacyChoice[] };
    const choices = [...(out.choices ?? [])].sort((a, b) => a.index - b.index);
    if (choices.length !== g.groupSize)
      throw new FieldError(
        RolloutErrorCodes.upstream,
        502,
        `groups[${i}]`,
        `upstream returned ${choices.length} choices for n = ${g.groupSize}`,
      );
    return choices.map((c, j) => mapChoice(c, `groups[${i}].choices[${j}]`));
  }

  async generate(groups: readonly EngineGroup[]): Promise<EngineResult> {
    const version = this.version;
    const completions = await Promise.all(groups.map((g, i) => this.group(g, i)));
    let promptTokens = 0;
    let generatedTokens = 0;
    groups.forEach((g, i) => {
      if ('tokenIds' in g.prompt) promptTokens += g.prompt.tokenIds.length;
      for (const c of completions[i]!)
        generatedTokens += c.lossMask ? c.lossMask.reduce((a, m) => a + m, 0) : c.tokenIds.length;
    });
    return { completions, policyVersion: version, model: this.o.model, promptTokens, generatedTokens };
  }

  /**
   * Forwards the checkpoint path to every upstream in SGLang's `POST /update_weights_from_disk`
   * shape (`{model_path}`); the version moves on once all of them report success.
   */
  async loadPolicy(path: string): Promise<PolicySwap> {
    if (this.o.weightUpdate === 'none') return this.bump(path);
    const results = await Promise.allSettled(
      this.ups.map((u) => this.post(u, '/update_weights_from_disk', { model_path: path })),
    );
    const failed = results
      .map((r, i) => {
        if (r.status === 'rejected') return `[${this.ups[i]!.url}] ${(r.reason as Error).message}`;
        const v = r.value as { success?: boolean; message?: string };
        return v.success === false ? `[${this.ups[i]!.url}] ${v.message ?? 'failed'}` : null;
      })
      .filter((x): x is string => x !== null);
    if (failed.length)
      throw new FieldError(
        RolloutErrorCodes.upstream,
        502,
        'path',
        `weight update failed on: ${failed.join('; ')}`,
      );
    return this.bump(path);
  }

  private bump(path: string): PolicySwap {
    const previousVersion = this.version;
    this.version++;
    this.path = path;
    return { version: this.version, previousVersion, model: this.o.model };
  }

  async close(): Promise<void> {}
}
