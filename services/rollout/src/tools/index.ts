import { RolloutErrorCodes, type ToolsSpec } from '@grpo/contracts';
import type { HfTokenizer, InteractiveCompletion } from '@grpo/model';
import { FieldError } from '@grpo/service-kit';
import type { SampledCompletion } from '../engine/types.js';
import type { ToolExecutor } from './executor.js';
import { createFormatter, type ToolFormatter } from './formats.js';
import { TOOL_DEFAULTS, type ToolLimits, ToolTrajectory } from './trajectory.js';

export * from './executor.js';
export * from './formats.js';
export * from './trajectory.js';
export * from './turns.js';

/** What an engine needs to run a group with tools: a trajectory per sample. */
export interface GroupTools {
  trajectory(sample: number): ToolTrajectory;
}

/** Checks a request's `tools` against the deployment and builds the group's trajectory factory. */
export function resolveTools(
  spec: ToolsSpec,
  executor: ToolExecutor | null,
  tokenizer: HfTokenizer | null,
  field = 'tools',
): GroupTools {
  if (!executor)
    throw new FieldError(
      RolloutErrorCodes.unsupported,
      400,
      field,
      'this rollout service has no tool executor',
    );
  if (!tokenizer)
    throw new FieldError(
      RolloutErrorCodes.noTokenizer,
      400,
      field,
      'tool rollouts need a tokenizer: configure model',
    );
  for (const [i, n] of spec.names.entries())
    if (!executor.tools.includes(n))
      throw new FieldError(
        RolloutErrorCodes.unsupported,
        400,
        `${field}.names[${i}]`,
        `tool ${n} is not supported by this sandbox build (supported: ${executor.tools.join(', ')})`,
      );
  const format = spec.format ?? TOOL_DEFAULTS.format;
  let formatter: ToolFormatter;
  try {
    formatter = createFormatter(format, spec.names, tokenizer);
    if (format === 'hermes') formatter.render('probe'); // the template must render tool messages
  } catch (e) {
    throw new FieldError(RolloutErrorCodes.unsupported, 400, `${field}.format`, (e as Error).message);
  }
  const limits: ToolLimits = {
    names: spec.names,
    maxCalls: spec.maxCalls ?? TOOL_DEFAULTS.maxCalls,
    timeoutMs: spec.timeoutMs ?? TOOL_DEFAULTS.timeoutMs,
    memoryLimitMb: spec.memoryLimitMb ?? TOOL_DEFAULTS.memoryLimitMb,
    maxOutputChars: spec.maxOutputChars ?? TOOL_DEFAULTS.maxOutputChars,
    budgetMs: spec.budgetMs ?? TOOL_DEFAULTS.budgetMs,
  };
  return { trajectory: () => new ToolTrajectory(formatter, executor, limits, tokenizer) };
}

/** A finished tool trajectory as the API returns it. */
export function toolCompletion(c: InteractiveCompletion, t: ToolTrajectory): SampledCompletion {
  const termination = t.termination(c);
  return {
    tokenIds: c.tokenIds,
    logprobs: c.logprobs,
    text: c.text,
    finishReason: c.finishReason,
    stopReason: c.stopReason,
    lossMask: c.lossMask,
    turns: c.turns,
    toolCalls: t.calls,
    termination,
    voidTurn: t.voidTurn(c, termination),
    toolMs: t.toolMs,
    modelMs: Math.max(0, c.wallMs - t.toolMs),
  };
}
