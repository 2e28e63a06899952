import type { RolloutCompletion, StageSpec, ToolMetrics } from '@grpo/contracts';
import type { HfTokenizer } from '@grpo/model';

/** One segment of a tool-integrated SFT trace: model text (trained on) or tool output (context only). */
export interface TraceSegment {
  text: string;
  tool?: boolean;
}

/**
 * Token ids and loss mask of a tool trace: each segment tokenized on its own, as the rollout
 * service appends tool output (never one encode of the joined text), tool segments masked 0.
 */
export function traceIds(
  tok: HfTokenizer,
  segments: readonly TraceSegment[],
  eos: number | undefined,
): { ids: number[]; mask: number[] } {
  const ids: number[] = [];
  const mask: number[] = [];
  for (const s of segments) {
    const seg = tok.encode(s.text, { addSpecialTokens: false });
    ids.push(...seg);
    for (let i = 0; i < seg.length; i++) mask.push(s.tool ? 0 : 1);
  }
  if (eos !== undefined) {
    ids.push(eos);
    mask.push(1);
  }
  return { ids, mask };
}

/**
 * The loss mask the trainer uses for a sampled completion: the rollout's lossMask, all zero when
 * the stage masks the trajectory out (a void turn, a sandbox infrastructure failure; SimpleTIR
 * keeps their reward in the group baseline), undefined without tools.
 */
export function trainMask(c: RolloutCompletion, spec: Pick<StageSpec, 'toolMask'>): number[] | undefined {
  if (!c.lossMask) return undefined;
  if (maskedOut(c, spec)) return c.lossMask.map(() => 0);
  return c.lossMask;
}

export function maskedOut(c: RolloutCompletion, spec: Pick<StageSpec, 'toolMask'>): boolean {
  const m = { voidTurns: true, infraErrors: true, ...spec.toolMask };
  return (m.voidTurns && c.voidTurn === true) || (m.infraErrors && c.termination === 'tool_infra_error');
}

/** The step's tool metrics over every sampled completion (null when none is a tool rollout). */
export function toolMetrics(
  completions: readonly RolloutCompletion[],
  spec: Pick<StageSpec, 'toolMask'>,
): ToolMetrics | null {
  const tool = completions.filter((c) => c.toolCalls !== undefined);
  if (tool.length === 0) return null;
  const calls = tool.flatMap((c) => c.toolCalls ?? []);
  const n = tool.length;
  const share = (pred: (s: (typeof calls)[number]) => boolean) =>
    calls.length ? calls.filter(pred).length / calls.length : 0;
  const terminations: Record<string, number> = {};
  for (const c of tool) {
    const t = c.termination ?? 'eos';
    terminations[t] = (terminations[t] ?? 0) + 1 / n;
  }
  const mean = (f: (c: RolloutCompletion) => number) => tool.reduce((a, c) => a + f(c), 0) / n;
  return {
    turnsMean: mean((c) => c.turns ?? 1),
    callsPerTrajectory: calls.length / n,
    callRate: tool.filter((c) => (c.toolCalls?.length ?? 0) > 0).length / n,
    errorRate: share((s) => s.status === 'error' || s.status === 'parse_error'),
    timeoutRate: share((s) => s.status === 'timeout'),
    truncationRate: share((s) => s.truncated),
    infraErrorRate: share((s) => s.status === 'infra_error'),
    toolMsMean: mean((c) => c.toolMs ?? 0),
    modelMsMean: mean((c) => c.modelMs ?? 0),
    maskedFraction: tool.filter((c) => maskedOut(c, spec)).length / n,
    terminations,
  };
}

/** Completion length in model tokens (tool output excluded). */
export function modelLength(c: RolloutCompletion): number {
  return c.lossMask ? c.lossMask.reduce((a, m) => a + m, 0) : c.tokenIds.length;
}
