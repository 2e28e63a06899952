import { STATUS_CODES } from 'node:http';
import { isDeepStrictEqual } from 'node:util';
import type { SwaggerTransform, SwaggerTransformObject } from '@fastify/swagger';
import { ErrorBody, OPENAPI_EXAMPLES } from '@grpo/contracts';
import type { FastifyInstance } from 'fastify';

/**
 * The OpenAPI conventions every service gets from the kit, so a new route complies without
 * writing any of it (README "OpenAPI conventions"):
 * - OpenAPI 3.1.0: schemas are JSON Schema 2020-12, what TypeBox emits (`exclusiveMinimum: 0`,
 *   `const`, `type: 'null'` need no translation).
 * - `operationId`: the route's `schema.operationId`, else derived from method and path
 *   (`operationIdFor`); two routes with one id fail the document build.
 * - `security`: `[]` on the open paths the access plugin lets through without a key (probes,
 *   /openapi.json, /metrics), the bearer scheme everywhere else; a route's own value wins.
 * - 4xx: a key-protected route documents 401 (and 403 when it has a scope); a route that
 *   still lists no 4xx gets `4XX` with the shared error body. Every error body is
 *   `#/components/schemas/ErrorBody`.
 * - `servers` (the service's default local address), `license`, response descriptions from the
 *   HTTP status text, and examples from libs/contracts `OPENAPI_EXAMPLES` by schema title.
 */
export const OPENAPI_VERSION = '3.1.0';

/** Security requirement of key-protected operations. */
export const BEARER_SECURITY: Array<Record<string, string[]>> = [{ bearerAuth: [] }];

/** Paths that never need a key (probes and the document); `/metrics` joins them unless metricsAuth is on. */
export const OPEN_PATHS: readonly string[] = ['/health', '/ready', '/openapi.json'];

/** The project's license, as the specs state it. */
export const SPEC_LICENSE = { name: 'MIT', identifier: 'MIT' } as const;

const VERB: Readonly<Record<string, string>> = {
  GET: 'get',
  POST: 'post',
  PUT: 'put',
  PATCH: 'patch',
  DELETE: 'delete',
  HEAD: 'head',
  OPTIONS: 'options',
};

const pascal = (s: string) =>
  s
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');

/**
 * camelCase `<verb><Path>`: an `/v<N>` prefix is dropped, `:id` / `{id}` becomes `ById`,
 * kebab and snake segments are joined. `POST /v1/rewards` -> `postRewards`,
 * `GET /v1/runs/:id/metrics` -> `getRunsByIdMetrics`, `POST /get_reward` -> `postGetReward`.
 */
export function operationIdFor(method: string, url: string): string {
  const parts = url
    .split('/')
    .filter(Boolean)
    .filter((seg, i) => !(i === 0 && /^v\d+$/.test(seg)))
    .map((seg) => {
      const param = /^(?::(\w+)|\{(\w+)\})$/.exec(seg);
      return param ? `By${pascal(param[1] ?? param[2]!)}` : pascal(seg);
    });
  return (VERB[method.toUpperCase()] ?? method.toLowerCase()) + parts.join('');
}

type Schema = Record<string, unknown> & { response?: Record<string, unknown>; hide?: boolean };

export interface RouteTransformOptions {
  /** `/metrics` needs a key (config.metricsAuth). */
  metricsAuth: boolean;
}

/** Whether the access plugin serves `path` without a key (keep in step with access.ts). */
export function isOpenPath(path: string, metricsAuth: boolean): boolean {
  return (
    OPEN_PATHS.includes(path) ||
    path === '/docs' ||
    path.startsWith('/docs/') ||
    (path === '/metrics' && !metricsAuth)
  );
}

/** @fastify/swagger `transform`: fills operationId, security and the 4xx responses from the route config. */
export function openApiRouteTransform(opts: RouteTransformOptions): SwaggerTransform {
  return ({ schema, url, route }) => {
    const s: Schema = { ...((schema as Schema | undefined) ?? {}) };
    if (s.hide) return { schema: s, url };
    const method = Array.isArray(route.method) ? route.method[0]! : route.method;
    s.operationId ??= operationIdFor(method, url);
    const open = isOpenPath(url, opts.metricsAuth);
    s.security ??= open ? [] : BEARER_SECURITY;
    const response: Record<string, unknown> = { ...(s.response ?? {}) };
    if (!open) {
      response[401] ??= ErrorBody;
      if ((route.config as { scope?: string } | undefined)?.scope || url === '/metrics')
        response[403] ??= ErrorBody;
    }
    if (!Object.keys(response).some((k) => k.startsWith('4'))) response['4XX'] = ErrorBody;
    s.response = response;
    return { schema: s, url };
  };
}

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface DocumentTransformOptions {
  /** The service's default port: `servers` lists `http://127.0.0.1:<port>`. */
  defaultPort?: number;
  service: string;
}

/**
 * @fastify/swagger `transformObject`: servers, license, the shared error body as one component,
 * status-text descriptions, examples; and a check that operationIds are unique.
 */
export function openApiDocumentTransform(opts: DocumentTransformOptions): SwaggerTransformObject {
  return (documentObject) => {
    if (!('openapiObject' in documentObject)) throw new Error('the kit emits OpenAPI 3, not Swagger 2');
    const doc = documentObject.openapiObject as Json;
    const info = doc.info as Json;
    info.license = { ...SPEC_LICENSE };
    doc.servers = [
      opts.defaultPort !== undefined
        ? {
            url: `http://127.0.0.1:${opts.defaultPort}`,
            description: `the default local address of \`grpo serve ${opts.service}\``,
          }
        : { url: '/', description: 'the host serving this document' },
    ];
    const components = (doc.components ?? {}) as Json;
    const schemas = (components.schemas ?? {}) as Json;
    schemas.ErrorBody = { ...JSON.parse(JSON.stringify(ErrorBody)), examples: [OPENAPI_EXAMPLES.ErrorBody] };
    components.schemas = schemas;
    doc.components = components;
    const ids = new Map<string, string>();
    for (const [path, ops] of Object.entries((doc.paths ?? {}) as Record<string, Json>)) {
      for (const [method, op] of Object.entries(ops)) {
        if (!isObj(op)) continue;
        const id = op.operationId as string;
        const where = `${method.toUpperCase()} ${path}`;
        const other = ids.get(id);
        if (other) throw new Error(`operationId "${id}" of ${where} is also used by ${other}`);
        ids.set(id, where);
        const body = (op.requestBody as Json | undefined)?.content as Record<string, Json> | undefined;
        for (const media of Object.values(body ?? {})) {
          if (isObj(media.schema)) media.schema = defaultsOptional(structuredClone(media.schema));
          addExample(media);
        }
        for (const [status, res] of Object.entries((op.responses ?? {}) as Record<string, Json>)) {
          if (res.description === 'Default Response') res.description = statusText(status);
          for (const media of Object.values((res.content ?? {}) as Record<string, Json>)) {
            if ((media.schema as Json | undefined)?.title === 'ErrorBody')
              media.schema = { $ref: '#/components/schemas/ErrorBody' };
            else addExample(media);
          }
        }
      }
    }
    hoistTitledSchemas(doc, schemas);
    return documentObject.openapiObject;
  };
}

const NOT_SCHEMA_KEYS = new Set(['example', 'examples', 'default', 'const', 'enum']);

/**
 * Every body schema with a `title` (the contracts name their request and response bodies, e.g.
 * RunStatus, MetricRow) becomes `#/components/schemas/<title>`, so generators emit one named type
 * per contract instead of anonymous copies. A title whose schemas differ (a request-body copy with
 * defaults made optional) stays inline after the first.
 */
function hoistTitledSchemas(doc: Json, schemas: Json): void {
  const visit = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(visit);
    if (!isObj(node)) return node;
    for (const [k, v] of Object.entries(node)) if (!NOT_SCHEMA_KEYS.has(k)) node[k] = visit(v);
    const title = node.title;
    if (typeof title !== 'string' || !/^[A-Za-z][A-Za-z0-9_]*$/.test(title)) return node;
    const have = schemas[title];
    if (have === undefined) schemas[title] = node;
    else if (have !== node && !isDeepStrictEqual(have, node)) return node;
    return { $ref: `#/components/schemas/${title}` };
  };
  for (const ops of Object.values((doc.paths ?? {}) as Record<string, Json>)) {
    for (const op of Object.values(ops)) {
      if (!isObj(op)) continue;
      const bodies = [
        (op.requestBody as Json | undefined)?.content,
        ...Object.values((op.responses ?? {}) as Record<string, Json>).map((r) => r.content),
      ];
      for (const content of bodies)
        for (const media of Object.values((content ?? {}) as Record<string, Json>))
          if (isObj(media.schema)) media.schema = visit(media.schema);
    }
  }
}

/**
 * Request bodies: a property with a `default` is not required of the caller (the validator
 * fills it in, ajv `useDefaults`), so generated clients let it out.
 */
function defaultsOptional(schema: Json): Json {
  const props = isObj(schema.properties) ? (schema.properties as Record<string, Json>) : undefined;
  if (props && Array.isArray(schema.required)) {
    const required = (schema.required as string[]).filter((k) => props[k]?.default === undefined);
    if (required.length > 0) schema.required = required;
    else delete schema.required;
  }
  for (const [k, v] of Object.entries(schema)) {
    if (k === 'default' || k === 'const' || k === 'enum' || k === 'examples' || k === 'example') continue;
    // Keywords whose value maps names to subschemas; the others hold a subschema or a list of them.
    if ((k === 'properties' || k === 'patternProperties' || k === '$defs') && isObj(v)) {
      for (const sub of Object.values(v)) if (isObj(sub)) defaultsOptional(sub);
    } else if (Array.isArray(v)) {
      for (const sub of v) if (isObj(sub)) defaultsOptional(sub);
    } else if (isObj(v)) {
      defaultsOptional(v);
    }
  }
  return schema;
}

function statusText(status: string): string {
  if (/^\dXX$/.test(status)) return status[0] === '4' ? 'Client error' : 'Server error';
  return STATUS_CODES[Number(status)] ?? 'Response';
}

function addExample(media: Json): void {
  const title = (media.schema as Json | undefined)?.title;
  if (typeof title !== 'string' || media.example !== undefined || media.examples !== undefined) return;
  const example = OPENAPI_EXAMPLES[title];
  if (example !== undefined) media.example = JSON.parse(JSON.stringify(example)) as unknown;
}

/** The app's OpenAPI 3.1 document (after `ready()`), as served at /openapi.json. */
export function openApiDocument(app: FastifyInstance): Record<string, unknown> {
  return app.swagger() as unknown as Record<string, unknown>;
}
