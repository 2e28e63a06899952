import type { OnnxSession, Tensor } from '@grpo/onnx';
import type { ModelConfig } from './config.js';
import { int64Tensor, type RopeTables } from './graph/feeds.js';
import { HostKvCache } from './graph/kv-cache.js';
import { createRng, type Rng } from './rng.js';
import { findStop, isEos, type SamplingParams, sampleToken } from './sampler.js';
import type { HfTokenizer } from './tokenizer.js';

/**
 * Interactive generation: a sequence can pause mid-generation (a tool call), wait for ids from
 * outside (the tool output) and continue. The KV cache of a paused sequence is parked, not
 * dropped: when its ids arrive only they (and the last sampled token) are fed, never the
 * prefix again. Sequences that are not waiting keep decoding meanwhile; the loop waits only
 * when every unfinished sequence waits.
 */

/** The current turn of a sequence: what it sampled since the last inserted ids. */
export interface TurnState {
  /** Text of the turn's ids (a final EOS id excluded). */
  text: string;
  /** Ids of the turn (sampled only). */
  ids: readonly number[];
  /** The last sampled id is an EOS id. */
  eos: boolean;
  /** Completion length so far (sampled + inserted ids). */
  length: number;
}

/** What a paused sequence continues with: ids to insert (not sampled, logprob 0, lossMask 0), or an end. */
export type Resumption = { insert: readonly number[] } | { end: string };

/** Per-sequence hook of an interactive group. */
export interface SequenceHook {
  /** After each sampled id: true pauses the sequence (then `resume` is called once). */
  pause(turn: TurnState): boolean;
  /**
   * Resolves with the ids to insert or an end reason. `room`: most ids that fit, leaving one
   * sampled token under maxTokens and the model's positions; more must be an end.
   */
  resume(turn: TurnState, room: number): Promise<Resumption>;
}

export interface InteractiveCompletion {
  /** Sampled and inserted ids interleaved. */
  tokenIds: number[];
  /** Per id: the sampling logprob, 0 at inserted ids. */
  logprobs: number[];
  /** 1 at sampled ids, 0 at inserted ones. */
  lossMask: number[];
  /** Decoded completion (a final EOS excluded, cut before a stop string). */
  text: string;
  finishReason: 'stop' | 'length';
  stopReason: number | string | null;
  /** The hook's end reason, when a resumption ended the sequence. */
  endReason: string | null;
  /** Turns: 1 + the number of insertions. */
  turns: number;
  /** Wall time from the start of the run to this sequence's end, in ms. */
  wallMs: number;
}

/** A completion before its first token: one turn, no ids, ended by length until told otherwise. */
export function emptyInteractiveCompletion(): InteractiveCompletion {
  return {
    tokenIds: [],
    logprobs: [],
    lossMask: [],
    text: '',
    finishReason: 'length',
    stopReason: null,
    endReason: null,
    turns: 1,
    wallMs: 0,
  };
}

/** A group as the interactive loop takes it (validated by PolicyEngine). */
export interface InteractiveGroupSpec {
  promptIds: readonly number[];
  groupSize: number;
  sampling: SamplingParams;
  maxTokens: number;
  stop: readonly string[];
  eos: readonly number[];
  seed: number;
  stream: number;
  /** The hook of sample j. */
  hook: (sample: number) => SequenceHook;
}

export interface InteractiveContext {
  config: ModelConfig;
  tokenizer: HfTokenizer;
  rope: RopeTables;
  prefill: OnnxSession;
  decode: OnnxSession;
  prefillWeights: Record<string, Tensor>;
  decodeWeights: Record<string, Tensor>;
}

interface Seq {
  group: InteractiveGroupSpec;
  groupIndex: number;
  sample: number;
  hook: SequenceHook;
  rng: Rng;
  out: InteractiveCompletion;
  /** Start of the current turn in out.tokenIds. */
  turnStart: number;
  /** Tokens fed so far (the next position). */
  pos: number;
  /** Ids to feed on the next step (the last sampled one, then any inserted ones). */
  feed: number[];
  state: 'active' | 'waiting' | 'done';
  parked: HostKvCache | null;
}

/** Runs interactive groups to the end; completions[i][j] is sample j of group i. */
export async function runInteractive(
  ctx: InteractiveContext,
  groups: readonly InteractiveGroupSpec[],
): Promise<{ completions: InteractiveCompletion[][]; promptTokens: number; generatedTokens: number }> {
  const t0 = performance.now();
  const c = ctx.config;
  const V = c.vocabSize;
  const tok = ctx.tokenizer;
  const decodeIds = (ids: readonly number[]) => (ids.length === 0 ? '' : tok.decode(ids));
  const P = groups.length;
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
  const rope = ctx.rope.tensors(pos, P, L);
  const pre = await ctx.prefill.run({
    ...ctx.prefillWeights,
    input_ids: int64Tensor(ids, [P, L]),
    attention_mask: int64Tensor(mask, [P, L]),
    rope_cos: rope.cos,
    rope_sin: rope.sin,
  });
  const seqs: Seq[] = [];
  const srcRows: number[] = [];
  groups.forEach((group, i) => {
    for (let j = 0; j < group.groupSize; j++) {
      srcRows.push(i);
      seqs.push({
        group,
        groupIndex: i,
        sample: j,
        hook: group.hook(j),
        rng: createRng(group.seed, group.stream + j),
        out: emptyInteractiveCompletion(),
        turnStart: 0,
        pos: group.promptIds.length,
        feed: [],
        state: 'active',
        parked: null,
      });
    }
  });
  const maxCap = L + Math.max(...groups.map((g) => g.maxTokens)) * 2 + 64;
  let cache: HostKvCache | null = new HostKvCache(c, seqs.length, L + 32, Math.max(maxCap, L + 33));
  cache.append(pre, srcRows, mask);
  const preLogits = pre.logits!.data as Float32Array;
  /** Sequences in cache row order, with their next-token logits. */
  let active = seqs.map((_, s) => s);
  let logits: Float32Array[] = srcRows.map((i) => preLogits.subarray(i * V, (i + 1) * V));
  const ready: { seq: number; r: Resumption }[] = [];
  let waiting = 0;
  let wake: (() => void) | null = null;

  const turnOf = (s: Seq, eos: boolean): TurnState => {
    const turnIds = s.out.tokenIds.slice(s.turnStart);
    return {
      text: decodeIds(eos ? turnIds.slice(0, -1) : turnIds),
      ids: turnIds,
      eos,
      length: s.out.tokenIds.length,
    };
  };
  const finish = (s: Seq, reason: 'stop' | 'length', stopReason: number | string | null, cut?: number) => {
    const all = s.out.tokenIds;
    const eosEnd = typeof stopReason === 'number';
    const text = decodeIds(eosEnd ? all.slice(0, -1) : all);
    s.out.text = cut !== undefined ? text.slice(0, cut) : text;
    s.out.finishReason = reason;
    s.out.stopReason = stopReason;
    s.out.wallMs = performance.now() - t0;
    s.state = 'done';
  };
  /** Room for inserted ids: one sampled token must still fit under maxTokens and the positions. */
  const roomOf = (s: Seq) =>
    Math.max(
      0,
      Math.min(
        s.group.maxTokens - s.out.tokenIds.length - 1,
        // pos + 1 (the last sampled id) + inserted + 1 (the next sampled one) <= maxPositions
        c.maxPositionEmbeddings - s.pos - 2,
      ),
    );

  for (;;) {
    // 1. Sample for every sequence that has fresh logits.
    const leaving: number[] = [];
    active.forEach((si, a) => {
      const s = seqs[si]!;
      const { tokenId, logprob } = sampleToken(logits[a]!, s.group.sampling, s.rng);
      s.out.tokenIds.push(tokenId);
      s.out.logprobs.push(logprob);
      s.out.lossMask.push(1);
      s.feed = [tokenId];
      const eos = isEos(tokenId, s.group.eos);
      const turn = turnOf(s, eos);
      if (s.hook.pause(turn)) {
        s.state = 'waiting';
        waiting++;
        leaving.push(a);
        s.hook.resume(turn, roomOf(s)).then(
          (r) => {
            ready.push({ seq: si, r });
            wake?.();
          },
          (err: unknown) => {
            ready.push({ seq: si, r: { end: `error: ${(err as Error)?.message ?? String(err)}` } });
            wake?.();
          },
        );
        return;
      }
      if (eos) finish(s, 'stop', tokenId);
      else {
        const hit = s.group.stop.length ? findStop(turn.text, s.group.stop, 0) : null;
        if (hit) {
          const before = decodeIds(s.out.tokenIds.slice(0, s.turnStart)).length;
          finish(s, 'stop', hit.stop, before + hit.index);
        } else if (s.out.tokenIds.length >= s.group.maxTokens || s.pos + 1 > c.maxPositionEmbeddings)
          finish(s, 'length', null);
      }
      if (s.state === 'done') leaving.push(a);
    });
    // 2. Park waiting sequences, drop finished ones.
    if (cache && leaving.length) {
      for (const a of leaving) {
        const s = seqs[active[a]!]!;
        if (s.state === 'waiting') s.parked = cache.extractRow(a);
      }
      const keep = active.map((_, a) => a).filter((a) => !leaving.includes(a));
      if (keep.length) {
        cache.keepRows(keep);
        active = keep.map((a) => active[a]!);
      } else {
        cache = null;
        active = [];
      }
    }
    // 3. Wait only when nothing can decode.
    if (active.length === 0 && waiting > 0 && ready.length === 0)
      await new Promise<void>((r) => {
        wake = r;
      });
    wake = null;
    // 4. Bring back the sequences whose ids arrived.
    const back: number[] = [];
    for (const { seq: si, r } of ready.splice(0)) {
      const s = seqs[si]!;
      waiting--;
      if ('end' in r || r.insert.length > roomOf(s)) {
        s.out.endReason = 'end' in r ? r.end : 'context_overflow';
        finish(s, 'length', null);
        s.parked = null;
        continue;
      }
      for (const id of r.insert) {
        s.out.tokenIds.push(id);
        s.out.logprobs.push(0);
        s.out.lossMask.push(0);
      }
      s.feed.push(...r.insert);
      s.turnStart = s.out.tokenIds.length;
      s.out.turns++;
      s.state = 'active';
      back.push(si);
    }
    if (back.length) {
      const parts: HostKvCache[] = [];
      if (cache) parts.push(...active.map((_, a) => cache!.extractRow(a)));
      for (const si of back) {
        parts.push(seqs[si]!.parked!);
        seqs[si]!.parked = null;
      }
      cache = HostKvCache.concat(parts);
      active = [...active, ...back];
    }
    if (active.length === 0) {
      if (waiting > 0) continue;
      break;
    }
    // 5. One step: every active sequence feeds its pending ids (1, or 1 + inserted), padded to S.
    const A = active.length;
    const S = Math.max(...active.map((si) => seqs[si]!.feed.length));
    const stepIds = new Array<number>(A * S).fill(0);
    const stepPos = new Array<number>(A * S).fill(0);
    const newMask = new Array<number>(A * S).fill(0);
    active.forEach((si, a) => {
      const s = seqs[si]!;
      s.feed.forEach((id, k) => {
        stepIds[a * S + k] = id;
        stepPos[a * S + k] = s.pos + k;
        newMask[a * S + k] = 1;
      });
    });
    const r = ctx.rope.tensors(stepPos, A, S);
    const out = await ctx.decode.run({
      ...ctx.decodeWeights,
      ...cache!.feeds(S, newMask),
      input_ids: int64Tensor(stepIds, [A, S]),
      rope_cos: r.cos,
      rope_sin: r.sin,
    });
    cache!.append(out, undefined, newMask);
    const lg = out.logits!.data as Float32Array;
    logits = active.map((si, a) => {
      const s = seqs[si]!;
      const last = s.feed.length - 1;
      s.pos += s.feed.length;
      s.feed = [];
      return lg.subarray((a * S + last) * V, (a * S + last + 1) * V);
    });
  }
  const completions: InteractiveCompletion[][] = groups.map(() => []);
  let generatedTokens = 0;
  for (const s of seqs) {
    completions[s.groupIndex]![s.sample] = s.out;
    generatedTokens += s.out.lossMask.reduce((n, m) => n + m, 0);
  }
  return { completions, promptTokens: groups.reduce((n, g) => n + g.promptIds.length, 0), generatedTokens };
}
