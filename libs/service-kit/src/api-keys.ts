import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigError } from './config.js';

/**
 * One API key. `scopes` lists what it may call: `*` (everything, the default), `score`
 * (scoring routes), `metrics` (`GET /metrics` when metricsAuth is on). Routes that declare no
 * scope accept any known key. `rateItemsPerS` / `burstItems` override the service defaults.
 */
export interface ApiKey {
  name: string;
  key: string;
  scopes: readonly string[];
  rateItemsPerS?: number;
  burstItems?: number;
}

/** Keys shorter than this are refused at start: a short bearer token is guessable. */
export const MIN_KEY_CHARS = 16;
const NAME_RE = /^[A-Za-z0-9_.-]{1,64}$/;
const KEY_RE = /^[\x21-\x7e]+$/;

function fail(field: string, envVar: string, message: string): never {
  throw new ConfigError(field, envVar, message);
}

function checkKey(entry: ApiKey, field: string, envVar: string, where: string): ApiKey {
  if (!NAME_RE.test(entry.name)) {
    fail(field, envVar, `${where}: key name "${entry.name}" must match ${NAME_RE.source}`);
  }
  if (!KEY_RE.test(entry.key) || entry.key.length < MIN_KEY_CHARS) {
    fail(
      field,
      envVar,
      `${where}: key "${entry.name}" must be at least ${MIN_KEY_CHARS} printable characters without spaces`,
    );
  }
  for (const s of entry.scopes) {
    if (typeof s !== 'string' || !/^[a-z*][a-z0-9_*]*$/.test(s)) {
      fail(field, envVar, `${where}: key "${entry.name}" has an invalid scope ${JSON.stringify(s)}`);
    }
  }
  for (const k of ['rateItemsPerS', 'burstItems'] as const) {
    const v = entry[k];
    if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v) || v < 0)) {
      fail(field, envVar, `${where}: key "${entry.name}" ${k} must be a number >= 0`);
    }
  }
  return entry;
}

/** A `key` or `name:key` token; unnamed keys are called `key1`, `key2`, ... by position. */
function parsePlain(token: string, index: number): ApiKey {
  const colon = token.indexOf(':');
  return colon > 0
    ? { name: token.slice(0, colon), key: token.slice(colon + 1), scopes: ['*'] }
    : { name: `key${index + 1}`, key: token, scopes: ['*'] };
}

/** `GRPO_<SERVICE>_API_KEYS`: comma-separated `key` or `name:key`. */
export function parseApiKeyList(list: string, envVar: string): ApiKey[] {
  return list
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean)
    .map((t, i) => checkKey(parsePlain(t, i), 'apiKeys', envVar, envVar));
}

/**
 * The keys file: one key per line. Blank lines and lines starting with `#` are skipped.
 * A line is `key`, `name:key`, or a JSON object
 * `{"name": "trainer", "key": "...", "scopes": ["score"], "rateItemsPerS": 500, "burstItems": 5000}`.
 */
export function parseApiKeysFile(text: string, file: string, envVar: string): ApiKey[] {
  const out: ApiKey[] = [];
  text.split(/\r?\n/).forEach((raw, lineNo) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const where = `${file}:${lineNo + 1}`;
    if (!line.startsWith('{')) {
      out.push(checkKey(parsePlain(line, out.length), 'apiKeysFile', envVar, where));
      return;
    }
    let obj: Record<string, unknown>;
    try {
      obj = JSON.parse(line) as Record<string, unknown>;
    } catch (err) {
      fail('apiKeysFile', envVar, `${where}: invalid JSON (${(err as Error).message})`);
    }
    const known = new Set(['name', 'key', 'scopes', 'rateItemsPerS', 'burstItems']);
    const extra = Object.keys(obj).find((k) => !known.has(k));
    if (extra) fail('apiKeysFile', envVar, `${where}: unknown field "${extra}"; allowed: ${[...known]}`);
    if (typeof obj.key !== 'string') fail('apiKeysFile', envVar, `${where}: "key" must be a string`);
    const scopes = obj.scopes ?? ['*'];
    if (!Array.isArray(scopes) || scopes.length === 0) {
      fail('apiKeysFile', envVar, `${where}: "scopes" must be a non-empty list`);
    }
    out.push(
      checkKey(
        {
          name: typeof obj.name === 'string' ? obj.name : `key${out.length + 1}`,
          key: obj.key,
          scopes: scopes as string[],
          ...(obj.rateItemsPerS !== undefined ? { rateItemsPerS: obj.rateItemsPerS as number } : {}),
          ...(obj.burstItems !== undefined ? { burstItems: obj.burstItems as number } : {}),
        },
        'apiKeysFile',
        envVar,
        where,
      ),
    );
  });
  return out;
}

/**
 * All keys from the config (list, then file), with duplicate names or keys refused so a
 * log line's key name always means one key.
 */
export function loadApiKeys(config: { apiKeys?: string; apiKeysFile?: string }, envPrefix: string): ApiKey[] {
  const keys = parseApiKeyList(config.apiKeys ?? '', `${envPrefix}API_KEYS`);
  if (config.apiKeysFile) {
    const envVar = `${envPrefix}API_KEYS_FILE`;
    let text: string;
    try {
      text = readFileSync(config.apiKeysFile, 'utf8');
    } catch (err) {
      fail('apiKeysFile', envVar, `cannot read ${config.apiKeysFile}: ${(err as Error).message}`);
    }
    keys.push(...parseApiKeysFile(text, config.apiKeysFile, envVar));
  }
  const names = new Set<string>();
  const secrets = new Set<string>();
  for (const k of keys) {
    if (names.has(k.name)) fail('apiKeys', `${envPrefix}API_KEYS`, `duplicate API key name "${k.name}"`);
    if (secrets.has(k.key)) fail('apiKeys', `${envPrefix}API_KEYS`, `key "${k.name}" is listed twice`);
    names.add(k.name);
    secrets.add(k.key);
  }
  return keys;
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * Finds the key a token belongs to in time independent of where (or whether) it matches:
 * tokens are hashed to equal length and every key is compared with timingSafeEqual, no early exit.
 */
export class KeyRing {
  readonly #entries: Array<{ hash: Buffer; key: ApiKey }>;
  constructor(keys: readonly ApiKey[]) {
    this.#entries = keys.map((key) => ({ hash: digest(key.key), key }));
  }
  get size(): number {
    return this.#entries.length;
  }
  get names(): string[] {
    return this.#entries.map((e) => e.key.name);
  }
  find(token: string): ApiKey | undefined {
    const h = digest(token);
    let found: ApiKey | undefined;
    for (const e of this.#entries) if (timingSafeEqual(h, e.hash) && !found) found = e.key;
    return found;
  }
}
