import { type Static, Type } from '@sinclair/typebox';

/**
 * Tool-integrated rollouts (ToRL arXiv:2503.23383, ReTool arXiv:2504.11536, SimpleTIR
 * arXiv:2509.02479): the model writes code mid-generation, the rollout service runs it in the
 * sandbox and appends the output as tokens the model did not sample (loss mask 0).
 */

/** Tools a rollout can call: both run in libs/sandbox (python: CPython from npm `pyodide` in the isolate). */
export const ToolName = Type.Union([Type.Literal('javascript'), Type.Literal('python')]);
export type ToolName = Static<typeof ToolName>;

/**
 * How a call and its output are written in the completion:
 * - `markdown`: ```` ```<tool>\n<code>\n``` ```` then ```` ```output\n<result>\n``` ```` (ToRL).
 * - `retool`: `<code><code></code>` then `<interpreter><result></interpreter>` (ReTool).
 * - `hermes`: `<tool_call>{"name": "<tool>", "arguments": {"code": "..."}}</tool_call>`, the
 *   assistant turn ends (EOS), and the result comes back as a `tool` chat message rendered by
 *   the model's chat template (only the new message, earlier turns are never re-rendered).
 */
export const ToolFormat = Type.Union([
  Type.Literal('markdown'),
  Type.Literal('retool'),
  Type.Literal('hermes'),
]);
export type ToolFormat = Static<typeof ToolFormat>;

/** Limits shared by the rollout request and the sandbox route. */
export const MAX_TOOL_CALLS = 16;
export const MAX_TOOL_TIMEOUT_MS = 30_000;
export const MAX_TOOL_OUTPUT_CHARS = 8192;

export const ToolsSpec = Type.Object(
  {
    names: Type.Array(ToolName, { minItems: 1, maxItems: 2, uniqueItems: true }),
    format: Type.Optional(Type.Union([ToolFormat], { description: 'Default markdown.' })),
    maxCalls: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: MAX_TOOL_CALLS,
        description:
          'Calls per trajectory; the call after the last allowed one ends it (max_calls). Default 4.',
      }),
    ),
    timeoutMs: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: MAX_TOOL_TIMEOUT_MS,
        description: 'Per call, wall clock. Default 2000.',
      }),
    ),
    memoryLimitMb: Type.Optional(
      Type.Integer({ minimum: 8, maximum: 1024, description: 'Per call, sandbox heap. Default 64.' }),
    ),
    maxOutputChars: Type.Optional(
      Type.Integer({
        minimum: 16,
        maximum: MAX_TOOL_OUTPUT_CHARS,
        description:
          'Tool output shown to the model, in characters: longer output keeps its head and is marked truncated; errors keep their last line. Default 512.',
      }),
    ),
    budgetMs: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 600_000,
        description:
          'Tool wall time per trajectory; a call once it is spent ends the trajectory (tool_budget). Default 10000.',
      }),
    ),
  },
  { additionalProperties: false, title: 'ToolsSpec' },
);
export type ToolsSpec = Static<typeof ToolsSpec>;

/**
 * How one call ended. ok / error / timeout / memory: the program ran (an error or limit is the
 * model's own and it sees it); infra_error: the sandbox could not run it (dead worker, HTTP
 * failure) and the trajectory ends instead of showing the model a fault that is not its own;
 * unsupported: the tool is not available in this deployment.
 */
export const ToolCallStatus = Type.Union([
  Type.Literal('ok'),
  Type.Literal('error'),
  Type.Literal('timeout'),
  Type.Literal('memory'),
  Type.Literal('infra_error'),
  Type.Literal('unsupported'),
  Type.Literal('parse_error'),
]);
export type ToolCallStatus = Static<typeof ToolCallStatus>;

export const ToolCallRecord = Type.Object({
  tool: Type.String(),
  status: ToolCallStatus,
  wallMs: Type.Number({ description: 'Tool time of the call (the sandbox round trip).' }),
  truncated: Type.Boolean({ description: 'The output was cut to maxOutputChars.' }),
  // An array of two rather than Type.Tuple: TypeBox's tuple is draft-07 (`items: [...]`,
  // `additionalItems`), which OpenAPI 3.1 (JSON Schema 2020-12) rejects.
  span: Type.Array(Type.Integer({ minimum: 0 }), {
    minItems: 2,
    maxItems: 2,
    description:
      '[start, end) of the inserted tool tokens in the completion tokenIds (empty when none were inserted).',
  }),
});
export type ToolCallRecord = Static<typeof ToolCallRecord>;

/**
 * Why a trajectory ended: eos / stop (the model ended it), length (maxTokens), context_overflow
 * (a tool output did not fit maxTokens or the model's positions), max_calls, tool_budget,
 * tool_infra_error (the sandbox failed: masked out of the loss by the trainer by default).
 */
export const Termination = Type.Union([
  Type.Literal('eos'),
  Type.Literal('stop'),
  Type.Literal('length'),
  Type.Literal('context_overflow'),
  Type.Literal('max_calls'),
  Type.Literal('tool_budget'),
  Type.Literal('tool_infra_error'),
]);
export type Termination = Static<typeof Termination>;

/** The per-completion fields a tool rollout adds. */
export const ToolCompletionFields = {
  lossMask: Type.Optional(
    Type.Array(Type.Integer({ minimum: 0, maximum: 1 }), {
      description: 'Tool rollouts: 1 where the policy sampled the token, 0 at tool-output tokens.',
    }),
  ),
  turns: Type.Optional(
    Type.Integer({ description: 'Tool rollouts: model turns (segments between tool outputs).' }),
  ),
  toolCalls: Type.Optional(Type.Array(ToolCallRecord)),
  termination: Type.Optional(Termination),
  voidTurn: Type.Optional(
    Type.Boolean({
      description:
        'Tool rollouts: the last turn holds neither a tool call nor an answer (SimpleTIR void turn; masked out by the trainer by default).',
    }),
  ),
  modelMs: Type.Optional(
    Type.Number({ description: 'Tool rollouts: wall time of the trajectory minus its tool time.' }),
  ),
  toolMs: Type.Optional(Type.Number({ description: 'Tool rollouts: summed tool wall time.' })),
};

/** `POST /v1/sandbox/run` on the reward service: one program of a tool call. */
export const SandboxRunRequest = Type.Object(
  {
    language: ToolName,
    code: Type.String({ maxLength: 65_536 }),
    timeoutMs: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_TOOL_TIMEOUT_MS })),
    memoryLimitMb: Type.Optional(Type.Integer({ minimum: 8, maximum: 1024 })),
    maxOutputChars: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_048_576 })),
  },
  { additionalProperties: false, title: 'SandboxRunRequest' },
);
export type SandboxRunRequest = Static<typeof SandboxRunRequest>;

export const SandboxRunResponse = Type.Object(
  {
    status: Type.Union([
      Type.Literal('ok'),
      Type.Literal('error'),
      Type.Literal('compile_error'),
      Type.Literal('timeout'),
      Type.Literal('memory'),
      Type.Literal('output_limit'),
      Type.Literal('crash'),
    ]),
    stdout: Type.String(),
    stderr: Type.String(),
    error: Type.Optional(Type.Object({ name: Type.String(), message: Type.String() })),
    wallMs: Type.Number(),
    queueMs: Type.Number({ description: 'Time the call waited for the concurrency limit.' }),
  },
  { title: 'SandboxRunResponse' },
);
export type SandboxRunResponse = Static<typeof SandboxRunResponse>;
