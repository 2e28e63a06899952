import type { Termination, ToolCallRecord, ToolCallStatus, ToolName } from '@grpo/contracts';
import type { HfTokenizer, InteractiveCompletion, Resumption, SequenceHook, TurnState } from '@grpo/model';
import type { ToolExecutor, ToolRun } from './executor.js';
import type { ParsedCall, ToolFormatter } from './formats.js';

/** A request's tool settings with every default filled in. */
export interface ToolLimits {
  names: readonly ToolName[];
  maxCalls: number;
  timeoutMs: number;
  memoryLimitMb: number;
  maxOutputChars: number;
  budgetMs: number;
}

export const TOOL_DEFAULTS = Object.freeze({
  format: 'markdown' as const,
  maxCalls: 4,
  timeoutMs: 2000,
  memoryLimitMb: 64,
  maxOutputChars: 512,
  budgetMs: 10_000,
});

/** A final answer in the last turn (so it is not a SimpleTIR void turn): \boxed{}, <answer>, "answer is". */
export const ANSWER_PATTERN = /\\boxed\{|<answer>|answer is/i;

const TRUNCATED = '\n...[truncated]';

/** The text the model sees for a run, cut to `cap` characters (errors keep their last line). */
export function formatToolResult(
  r: ToolRun,
  limits: Pick<ToolLimits, 'maxOutputChars' | 'timeoutMs' | 'memoryLimitMb'>,
): { text: string; truncated: boolean; status: ToolCallStatus } {
  const cap = limits.maxOutputChars;
  let tail = '';
  let status: ToolCallStatus = 'ok';
  let truncated = r.status === 'output_limit';
  if (r.status === 'error' || r.status === 'compile_error') {
    status = 'error';
    const msg = `${r.error?.name ?? 'Error'}: ${r.error?.message ?? (r.stderr.trim() || 'failed')}`;
    const lines = msg.trim().split('\n');
    tail = lines[lines.length - 1]!.slice(0, cap);
  } else if (r.status === 'timeout') {
    status = 'timeout';
    tail = `TimeoutError: the code ran past ${limits.timeoutMs} ms`;
  } else if (r.status === 'memory') {
    status = 'memory';
    tail = `MemoryError: the code used more than ${limits.memoryLimitMb} MB`;
  }
  let head = status === 'ok' ? r.stdout + r.stderr : r.stdout;
  const room = Math.max(0, cap - tail.length - (tail && head ? 1 : 0));
  if (head.length > room) {
    head = head.slice(0, Math.max(0, room - TRUNCATED.length)) + TRUNCATED;
    truncated = true;
  }
  const text = head && tail ? `${head.replace(/\n$/, '')}\n${tail}` : head + tail;
  return { text: text.replace(/\n$/, ''), truncated, status };
}

/**
 * One trajectory's side of a tool rollout: the engine's hook (pause on a complete call, resume
 * with the tokenized tool output) and the record of its calls. Only the new text is tokenized;
 * model ids are never decoded and re-encoded into the sequence.
 */
export class ToolTrajectory implements SequenceHook {
  readonly calls: ToolCallRecord[] = [];
  toolMs = 0;
  /** Set when a resumption ends the trajectory. */
  end: Termination | null = null;
  private pending: ParsedCall | null = null;

  constructor(
    private readonly formatter: ToolFormatter,
    private readonly executor: ToolExecutor,
    private readonly limits: ToolLimits,
    private readonly tokenizer: HfTokenizer,
  ) {}

  pause(turn: TurnState): boolean {
    this.pending = this.formatter.detect(turn.text, turn.eos);
    return this.pending !== null;
  }

  async resume(turn: TurnState, room: number): Promise<Resumption> {
    const call = this.pending!;
    this.pending = null;
    const stop = (t: Termination): Resumption => {
      this.end = t;
      return { end: t };
    };
    if (this.calls.length >= this.limits.maxCalls) return stop('max_calls');
    if (this.toolMs >= this.limits.budgetMs) return stop('tool_budget');
    let shown: { text: string; truncated: boolean; status: ToolCallStatus };
    let wallMs = 0;
    if (call.tool === null) {
      shown = {
        text: `Error: ${call.problem ?? 'the call names no enabled tool'}`,
        truncated: false,
        status: 'parse_error',
      };
    } else {
      const t0 = performance.now();
      const r = await this.executor.run({
        language: call.tool,
        code: call.code,
        timeoutMs: this.limits.timeoutMs,
        memoryLimitMb: this.limits.memoryLimitMb,
        maxOutputChars: Math.max(64, this.limits.maxOutputChars * 4),
      });
      // The round trip as this trajectory waited for it (queue and HTTP hop included).
      wallMs = performance.now() - t0;
      this.toolMs += wallMs;
      if (r.status === 'infra_error' || r.status === 'crash') {
        // Not the model's fault: never shown to it; the trainer masks the trajectory out.
        this.calls.push({
          tool: call.tool,
          status: 'infra_error',
          wallMs,
          truncated: false,
          span: [turn.length, turn.length],
        });
        return stop('tool_infra_error');
      }
      shown = formatToolResult(r, this.limits);
    }
    const ids = this.tokenizer.encode(this.formatter.render(shown.text));
    const record = (span: [number, number]) =>
      this.calls.push({
        tool: call.tool ?? 'none',
        status: shown.status,
        wallMs,
        truncated: shown.truncated,
        span,
      });
    if (ids.length > room) {
      record([turn.length, turn.length]);
      return stop('context_overflow');
    }
    record([turn.length, turn.length + ids.length]);
    return { insert: ids };
  }

  /** The termination of the finished trajectory. */
  termination(c: InteractiveCompletion): Termination {
    if (this.end) return this.end;
    if (c.endReason) return 'tool_infra_error'; // the hook threw: an infrastructure fault
    if (c.finishReason === 'length') return 'length';
    return typeof c.stopReason === 'number' ? 'eos' : 'stop';
  }

  /** SimpleTIR's void turn: the trajectory ended on a turn with neither a call nor an answer. */
  voidTurn(c: InteractiveCompletion, termination: Termination): boolean {
    if (termination !== 'eos' && termination !== 'stop' && termination !== 'length') return false;
    const last = this.calls.length ? this.calls[this.calls.length - 1]!.span[1] : 0;
    const ids = c.tokenIds.slice(last);
    return !ANSWER_PATTERN.test(ids.length ? this.tokenizer.decode(ids) : '');
  }
}
