import { type Static, Type } from '@sinclair/typebox';

/**
 * SandboxFusion's `POST /run_code` request (the shape verl's `sandbox_fusion` reward sends).
 * `files` and `fetch_files` are accepted and ignored (programs get no files; none come back),
 * `compile_timeout` too (nothing is compiled ahead; TypeScript's transpile is not timed).
 */
export const RunCodeRequest = Type.Object(
  {
    code: Type.String({ maxLength: 4 * 1024 * 1024 }),
    language: Type.Union(
      [
        Type.Literal('python'),
        Type.Literal('nodejs'),
        Type.Literal('javascript'),
        Type.Literal('typescript'),
      ],
      { description: 'SandboxFusion names: python, nodejs (JavaScript), typescript.' },
    ),
    stdin: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    run_timeout: Type.Optional(
      Type.Number({ exclusiveMinimum: 0, description: 'Seconds (default 10); at most 60.' }),
    ),
    compile_timeout: Type.Optional(Type.Number({ description: 'Ignored.' })),
    memory_limit_MB: Type.Optional(
      Type.Number({ description: 'Heap for the program, in MiB; -1 or absent: 64. Clipped to [8, 1024].' }),
    ),
    files: Type.Optional(
      Type.Record(Type.String(), Type.Union([Type.String(), Type.Null()]), { description: 'Ignored.' }),
    ),
    fetch_files: Type.Optional(Type.Array(Type.String(), { description: 'Ignored.' })),
  },
  { title: 'RunCodeRequest', additionalProperties: true },
);
export type RunCodeRequest = Static<typeof RunCodeRequest>;

export const CommandRunResult = Type.Object(
  {
    status: Type.Union([Type.Literal('Finished'), Type.Literal('TimeLimitExceeded'), Type.Literal('Error')]),
    execution_time: Type.Union([Type.Number(), Type.Null()], { description: 'Seconds.' }),
    return_code: Type.Union([Type.Integer(), Type.Null()]),
    stdout: Type.String(),
    stderr: Type.String(),
  },
  { title: 'CommandRunResult' },
);

/** SandboxFusion's response: `Success` when the program ran and exited 0, `Failed` otherwise, `SandboxError` when the sandbox could not run it. */
export const RunCodeResponse = Type.Object(
  {
    status: Type.Union([Type.Literal('Success'), Type.Literal('Failed'), Type.Literal('SandboxError')]),
    message: Type.String(),
    compile_result: Type.Union([CommandRunResult, Type.Null()]),
    run_result: Type.Union([CommandRunResult, Type.Null()]),
    executor_pod_name: Type.Null(),
    files: Type.Record(Type.String(), Type.String()),
  },
  { title: 'RunCodeResponse' },
);
export type RunCodeResponse = Static<typeof RunCodeResponse>;
