// Validates values against the committed OpenAPI documents: real responses (the contract
// tests, through an openapi-fetch middleware on the generated clients) and the documents' own
// examples. Ajv 2020 compiles `$ref`s into the whole document, so a schema is checked exactly as
// a generator reads it, components included.
import { readFileSync } from 'node:fs';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import type { Middleware } from 'openapi-fetch';

export const SERVICES = ['reward', 'rollout', 'trainer'] as const;
export type Service = (typeof SERVICES)[number];

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

/** The committed document of a service, parsed. */
export function committedSpec(service: Service): Json {
  return JSON.parse(readFileSync(new URL(`../openapi/${service}.json`, import.meta.url), 'utf8')) as Json;
}

const pointerToken = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');

export interface ExampleRef {
  /** JSON pointer of the example value. */
  at: string;
  /** JSON pointer of the schema it must satisfy. */
  schema: string;
  value: unknown;
}

export class SpecCheck {
  readonly doc: Json;
  /** `METHOD template status` of every response checked without error. */
  readonly seen = new Set<string>();
  /** One line per response that did not match the document. */
  readonly failures: string[] = [];
  readonly #ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
  readonly #validators = new Map<string, ValidateFunction>();
  readonly #templates: { template: string; re: RegExp }[];

  constructor(doc: Json) {
    this.doc = doc;
    this.#ajv.addSchema(doc, 'spec');
    this.#templates = Object.keys(doc.paths as Json).map((template) => ({
      template,
      re: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`),
    }));
  }

  /** Errors of `value` against the schema at a JSON pointer of the document (empty when valid). */
  validate(schemaPointer: string, value: unknown): string[] {
    let v = this.#validators.get(schemaPointer);
    if (!v) {
      v = this.#ajv.compile({ $ref: `spec#${schemaPointer}` });
      this.#validators.set(schemaPointer, v);
    }
    if (v(value)) return [];
    return (v.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`);
  }

  /** The document's path template that a concrete path matches, e.g. `/v1/runs/{id}`. */
  templateOf(pathname: string): string | undefined {
    const exact = this.#templates.find((t) => t.template === pathname);
    return (exact ?? this.#templates.find((t) => t.re.test(pathname)))?.template;
  }

  /**
   * Checks one real response: its path and method are documented, its status is listed (exact,
   * `4XX` or `default`), and its body matches the schema of its content type. Returns the errors.
   */
  checkResponse(
    method: string,
    pathname: string,
    status: number,
    contentType: string,
    body: string,
  ): string[] {
    const template = this.templateOf(pathname);
    const label = `${method.toUpperCase()} ${template ?? pathname} ${status}`;
    if (!template) return [`${label}: path not in the document`];
    const op = (this.doc.paths as Record<string, Json>)[template]?.[method.toLowerCase()];
    if (!isObj(op)) return [`${label}: method not in the document`];
    const responses = op.responses as Record<string, Json>;
    const key = [String(status), `${String(status)[0]}XX`, 'default'].find((k) => responses[k]);
    if (!key) return [`${label}: status not listed (${Object.keys(responses).join(', ')})`];
    const content = (responses[key]!.content ?? {}) as Record<string, Json>;
    const media = contentType.split(';')[0]!.trim().toLowerCase();
    if (!content[media])
      return [`${label}: content type ${media} not listed (${Object.keys(content).join(', ')})`];
    let value: unknown = body;
    if (media === 'application/json') {
      try {
        value = JSON.parse(body);
      } catch {
        return [`${label}: body is not JSON`];
      }
    }
    const pointer = `/paths/${pointerToken(template)}/${method.toLowerCase()}/responses/${key}/content/${pointerToken(media)}/schema`;
    const errors = this.validate(pointer, value).map((e) => `${label}: ${e}`);
    if (errors.length === 0) this.seen.add(`${method.toUpperCase()} ${template} ${status}`);
    return errors;
  }

  /** An openapi-fetch middleware that checks every response a generated client receives. */
  middleware(): Middleware {
    return {
      onResponse: async ({ request, response }) => {
        const pathname = new URL(request.url).pathname;
        const ct = response.headers.get('content-type') ?? '';
        // The event stream never ends while the run lives; its content type is what is checked.
        const body = ct.startsWith('text/event-stream') ? '' : await response.clone().text();
        this.failures.push(...this.checkResponse(request.method, pathname, response.status, ct, body));
        return undefined;
      },
    };
  }

  /** Every operation as `METHOD template`. */
  operations(): string[] {
    const out: string[] = [];
    for (const [path, ops] of Object.entries(this.doc.paths as Record<string, Json>))
      for (const m of Object.keys(ops)) if (METHODS.includes(m)) out.push(`${m.toUpperCase()} ${path}`);
    return out;
  }

  /**
   * Every example in the document with the schema it must satisfy: media-type `example` and
   * `examples[*].value` (against the media schema), and JSON Schema `examples` arrays (against
   * the schema that holds them).
   */
  examples(): ExampleRef[] {
    const out: ExampleRef[] = [];
    const walk = (node: unknown, at: string, inSchema: boolean) => {
      if (Array.isArray(node)) {
        for (const [i, x] of node.entries()) walk(x, `${at}/${i}`, inSchema);
        return;
      }
      if (!isObj(node)) return;
      if (!inSchema && isObj(node.schema)) {
        if ('example' in node) out.push({ at: `${at}/example`, schema: `${at}/schema`, value: node.example });
        if (isObj(node.examples))
          for (const [name, ex] of Object.entries(node.examples))
            if (isObj(ex) && 'value' in ex)
              out.push({
                at: `${at}/examples/${pointerToken(name)}/value`,
                schema: `${at}/schema`,
                value: ex.value,
              });
      }
      if (inSchema && Array.isArray(node.examples))
        node.examples.forEach((value, i) => {
          out.push({ at: `${at}/examples/${i}`, schema: at, value });
        });
      for (const [k, v] of Object.entries(node)) {
        if (k === 'example' || k === 'examples' || k === 'default' || k === 'const' || k === 'enum') continue;
        walk(v, `${at}/${pointerToken(k)}`, inSchema || k === 'schema' || at === '/components/schemas');
      }
    };
    walk(this.doc, '', false);
    return out;
  }
}
