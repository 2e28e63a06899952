import { type Static, Type } from '@sinclair/typebox';

export const HealthResponse = Type.Object(
  {
    status: Type.Literal('ok'),
    service: Type.String(),
    version: Type.String(),
    uptimeS: Type.Number({ description: 'Seconds since the process started.' }),
  },
  { title: 'HealthResponse' },
);
export type HealthResponse = Static<typeof HealthResponse>;

export const ReadyResponse = Type.Object(
  {
    status: Type.Union([Type.Literal('ready'), Type.Literal('not_ready')]),
    checks: Type.Record(
      Type.String(),
      Type.Object({ ok: Type.Boolean(), reason: Type.Optional(Type.String()) }),
    ),
  },
  { title: 'ReadyResponse' },
);
export type ReadyResponse = Static<typeof ReadyResponse>;
