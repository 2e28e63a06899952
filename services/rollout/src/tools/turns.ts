import { emptyInteractiveCompletion, type HfTokenizer, type InteractiveCompletion, isEos } from '@grpo/model';
import type { SampledCompletion } from '../engine/types.js';
import type { ToolTrajectory } from './trajectory.js';

/** One upstream completion call: continue `ids` for at most `maxTokens` tokens. */
export type TurnSampler = (
  ids: readonly number[],
  maxTokens: number,
  turn: number,
) => Promise<SampledCompletion>;

/**
 * A tool trajectory over an engine that samples whole turns (the openai engine): one call per
 * turn with the token ids so far (prompt + every model and tool id, never re-rendered text),
 * the turn cut right after its first complete tool call (the upstream cannot stop there by
 * itself: a stop string would also match the call's opening fence), then the tool's ids
 * appended. Model ids are the upstream's ids; only tool output is tokenized here.
 */
export async function runTurns(
  traj: ToolTrajectory,
  promptIds: readonly number[],
  o: { maxTokens: number; eos: readonly number[]; maxPositions: number | null; tokenizer: HfTokenizer },
  sample: TurnSampler,
): Promise<InteractiveCompletion> {
  const t0 = performance.now();
  const out: InteractiveCompletion = emptyInteractiveCompletion();
  const decode = (ids: readonly number[]) => (ids.length ? o.tokenizer.decode(ids) : '');
  let cut: number | undefined;
  for (let turn = 0; ; turn++) {
    const left = o.maxTokens - out.tokenIds.length;
    if (left <= 0) break;
    const r = await sample([...promptIds, ...out.tokenIds], left, turn);
    const start = out.tokenIds.length;
    let paused: { text: string; ids: number[]; eos: boolean; length: number } | null = null;
    for (let k = 0; k < r.tokenIds.length; k++) {
      const id = r.tokenIds[k]!;
      out.tokenIds.push(id);
      out.logprobs.push(r.logprobs[k]!);
      out.lossMask.push(1);
      const ids = out.tokenIds.slice(start);
      const eos = isEos(id, o.eos);
      const state = { text: decode(eos ? ids.slice(0, -1) : ids), ids, eos, length: out.tokenIds.length };
      if (traj.pause(state)) {
        paused = state;
        break;
      }
    }
    if (!paused) {
      out.finishReason = r.finishReason;
      out.stopReason = r.stopReason;
      if (typeof r.stopReason === 'string') cut = decode(out.tokenIds.slice(0, start)).length + r.text.length;
      break;
    }
    const used = promptIds.length + out.tokenIds.length;
    const room = Math.max(
      0,
      Math.min(
        o.maxTokens - out.tokenIds.length - 1,
        o.maxPositions === null ? Infinity : o.maxPositions - used - 1,
      ),
    );
    const res = await traj.resume(paused, room);
    if ('end' in res) {
      out.endReason = res.end;
      break;
    }
    for (const id of res.insert) {
      out.tokenIds.push(id);
      out.logprobs.push(0);
      out.lossMask.push(0);
    }
    out.turns++;
  }
  const last = out.tokenIds[out.tokenIds.length - 1];
  const endsOnEos = out.finishReason === 'stop' && last !== undefined && isEos(last, o.eos);
  const text = decode(endsOnEos ? out.tokenIds.slice(0, -1) : out.tokenIds);
  out.text = cut !== undefined ? text.slice(0, cut) : text;
  out.wallMs = performance.now() - t0;
  return out;
}
