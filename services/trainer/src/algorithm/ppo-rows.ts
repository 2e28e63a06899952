import { POLICY_LOSS_INPUTS, VALUE_LOSS_INPUTS } from '@grpo/grpo';
import type { ScoreSequence } from '@grpo/model';
import { type Tensor, tensor } from '@grpo/onnx';

/** One completion of a PPO batch with everything its updates need, per completion token. */
export interface Row {
  seq: ScoreSequence;
  n: number;
  promptLength: number;
  old: number[];
  ref: number[] | null;
  values: number[];
  advantages: number[];
  returns: number[];
  reward: number;
}

/** The train graph's (batch, seq) layout of rows `idx`: T positions per row and where each completion starts. */
export function layout(idx: readonly number[], rows: readonly Row[]): { T: number; from: number[] } {
  const T = Math.max(...idx.map((i) => rows[i]!.seq.ids.length)) - 1;
  return { T, from: idx.map((i, b) => b * T + rows[i]!.promptLength - 1) };
}

/** Per row of `idx`, its completion tokens' values of a (batch, seq) stat output. */
export function statRows(t: Tensor, idx: readonly number[], rows: readonly Row[]): number[][] {
  const { from } = layout(idx, rows);
  return idx.map((i, b) => Array.from((t.data as Float32Array).subarray(from[b]!, from[b]! + rows[i]!.n)));
}

/** The loss inputs of the critic and of the policy for rows `idx`. */
export function feeds(idx: readonly number[], rows: readonly Row[]) {
  const B = idx.length;
  const { T, from } = layout(idx, rows);
  const z = () => new Float32Array(B * T);
  const [mask, old, ref, adv, oldV, ret] = [z(), z(), z(), z(), z(), z()];
  idx.forEach((i, b) => {
    const r = rows[i]!;
    for (let j = 0; j < r.n; j++) {
      const k = from[b]! + j;
      mask[k] = 1;
      old[k] = r.old[j]!;
      if (r.ref) ref[k] = r.ref[j]!;
      adv[k] = r.advantages[j]!;
      oldV[k] = r.values[j]!;
      ret[k] = r.returns[j]!;
    }
  });
  const t = (x: Float32Array) => tensor('float32', x, [B, T]);
  return {
    // An empty completion keeps its row (one padding token) with an all-zero mask.
    critic: {
      loss_mask: t(mask),
      [VALUE_LOSS_INPUTS.oldValues]: t(oldV),
      [VALUE_LOSS_INPUTS.returns]: t(ret),
    },
    policy: (withRef: boolean): Record<string, Tensor> => ({
      loss_mask: t(mask),
      [POLICY_LOSS_INPUTS.oldLogprobs]: t(old),
      [POLICY_LOSS_INPUTS.advantages]: t(adv),
      ...(withRef ? { [POLICY_LOSS_INPUTS.refLogprobs]: t(ref) } : {}),
    }),
  };
}
