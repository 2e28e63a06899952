import type { RewardItemResult, RewardStats, RewardsRequest, RewardsResponse } from '@grpo/contracts';
import { HttpClient, ServiceClientError } from './http.js';

export interface BalancedRewardClientOptions {
  /** Reward replicas, e.g. `['http://10.0.0.5:8001', 'http://10.0.0.6:8001']`; at least one, no duplicates. */
  urls: readonly string[];
  /** Items per request sent to one replica. Default 64, range 1..20 000 (the service's default maxItems). */
  chunkItems?: number;
  /** Requests in flight per replica. Default 2, range 1..64. */
  maxInFlightPerUrl?: number;
  /** Per request attempt. Default 60 000 ms. */
  timeoutMs?: number;
  /** Attempts per chunk across all replicas before the batch fails. Default urls.length + 2, range 1..100. */
  maxAttempts?: number;
  /** A replica that failed gets no new chunk for cooldownMs × 2^(consecutive failures − 1). Default 1 000 ms. */
  cooldownMs?: number;
  /** Cap on that cooldown. Default 30 000 ms. */
  maxCooldownMs?: number;
  /** Sent as `Authorization: Bearer <apiKey>` to every replica when set. */
  apiKey?: string;
  headers?: Record<string, string>;
  /** Called after every chunk attempt (progress bars, tests that kill a replica mid-batch). */
  onChunk?: (event: ChunkEvent) => void;
}

export interface ChunkEvent {
  type: 'done' | 'failed';
  /** Index of the chunk in the batch (chunk i holds items i*chunkItems ..). */
  chunk: number;
  url: string;
  /** 1-based attempt number of this chunk. */
  attempt: number;
  doneChunks: number;
  totalChunks: number;
  /** For `failed`: the error code, e.g. GRPO_CLIENT_CONNECTION, HTTP_502, GRPO_OVERLOADED. */
  code?: string;
}

export interface ReplicaReport {
  url: string;
  /** Chunks this replica scored in this batch, and their items. */
  chunks: number;
  items: number;
  /** Failed attempts on this replica in this batch. */
  failures: number;
}

export interface BalancedRewardsResponse extends RewardsResponse {
  balance: {
    /** Chunk attempts in total; equals the chunk count when nothing failed. */
    attempts: number;
    /** Chunks that were re-sent after a failed attempt. */
    failovers: number;
    replicas: ReplicaReport[];
  };
}

interface Replica {
  url: string;
  http: HttpClient;
  inFlight: number;
  downUntil: number;
  consecutiveFailures: number;
}

interface Chunk {
  index: number;
  start: number;
  items: RewardsRequest['items'];
  attempts: number;
  failedOn: Set<Replica>;
  causes: string[];
}

const badOption = (field: string, message: string) =>
  new ServiceClientError('GRPO_CLIENT_BAD_OPTION', 0, `${field}: ${message}`, 0, field);

function intOption(field: string, value: number | undefined, fallback: number, min: number, max: number) {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < min || v > max)
    throw badOption(field, `must be an integer in ${min}..${max}, got ${String(value)}`);
  return v;
}

/** A reply from a replica is used only when it scored exactly the items it was sent, in order. */
function checkReply(chunk: Chunk, reply: RewardsResponse): string | undefined {
  if (!Array.isArray(reply?.results)) return 'reply has no results array';
  if (reply.results.length !== chunk.items.length)
    return `reply has ${reply.results.length} results for ${chunk.items.length} items`;
  for (let i = 0; i < chunk.items.length; i++)
    if (reply.results[i]!.id !== chunk.items[i]!.id)
      return `result ${i} has id ${reply.results[i]!.id}, expected ${chunk.items[i]!.id}`;
  return undefined;
}

/**
 * Spreads one reward batch over several reward replicas and survives replicas that die.
 *
 * The batch is cut into chunks; each chunk goes to the healthy replica with the fewest
 * requests in flight (least-connections, as nginx `least_conn`). A connection error, timeout,
 * 5xx or 429 marks that replica down for a cooldown that doubles per consecutive failure
 * (passive health checks, as nginx `max_fails`/`fail_timeout`) and puts the chunk back at the
 * head of the queue for another replica. Scoring is a pure function of the item, so re-sending a
 * chunk whose replica died mid-request is safe; results are placed by chunk, so every item comes
 * back exactly once and in order. A 4xx other than 429 is the request's fault, would fail on
 * every replica, and fails the batch at once.
 */
export class BalancedRewardClient {
  readonly urls: readonly string[];
  readonly #replicas: Replica[];
  readonly #chunkItems: number;
  readonly #maxInFlight: number;
  readonly #maxAttempts: number;
  readonly #cooldownMs: number;
  readonly #maxCooldownMs: number;
  readonly #onChunk?: (event: ChunkEvent) => void;
  #cursor = 0;
  /** The schedulers of the score() calls in progress: a slot freed by one call may unblock another. */
  readonly #waiting = new Set<() => void>();

  constructor(opts: BalancedRewardClientOptions) {
    if (!Array.isArray(opts.urls) || opts.urls.length === 0)
      throw badOption('urls', 'needs at least one reward service URL');
    const urls = opts.urls.map((u, i) => {
      if (typeof u !== 'string' || !/^https?:\/\/[^/]+/.test(u))
        throw badOption(`urls[${i}]`, `must be an http(s) URL, got ${JSON.stringify(u)}`);
      return u.replace(/\/+$/, '');
    });
    const dup = urls.find((u, i) => urls.indexOf(u) !== i);
    if (dup) throw badOption('urls', `lists ${dup} twice`);
    this.urls = Object.freeze(urls);
    this.#chunkItems = intOption('chunkItems', opts.chunkItems, 64, 1, 20_000);
    this.#maxInFlight = intOption('maxInFlightPerUrl', opts.maxInFlightPerUrl, 2, 1, 64);
    this.#maxAttempts = intOption('maxAttempts', opts.maxAttempts, urls.length + 2, 1, 100);
    this.#cooldownMs = intOption('cooldownMs', opts.cooldownMs, 1_000, 0, 600_000);
    this.#maxCooldownMs = intOption('maxCooldownMs', opts.maxCooldownMs, 30_000, 0, 3_600_000);
    const timeoutMs = intOption('timeoutMs', opts.timeoutMs, 60_000, 1, 3_600_000);
    this.#onChunk = opts.onChunk;
    // Retries are this class's job (on another replica), so each HttpClient tries once.
    this.#replicas = urls.map((url) => ({
      url,
      http: new HttpClient({
        baseUrl: url,
        timeoutMs,
        retries: 0,
        apiKey: opts.apiKey,
        headers: opts.headers,
      }),
      inFlight: 0,
      downUntil: 0,
      consecutiveFailures: 0,
    }));
  }

  /** Per replica: whether it is in its failure cooldown now, and its requests in flight. */
  replicas(): { url: string; down: boolean; inFlight: number; consecutiveFailures: number }[] {
    const now = Date.now();
    return this.#replicas.map((r) => ({
      url: r.url,
      down: r.downUntil > now,
      inFlight: r.inFlight,
      consecutiveFailures: r.consecutiveFailures,
    }));
  }

  /**
   * `POST /v1/rewards` across the replicas: one result per item, in order. `stats` adds up the
   * replicas' stats, except `workers` (sum over the replicas that answered) and `ms` (wall time
   * of the whole call on the client).
   */
  async score(request: RewardsRequest): Promise<BalancedRewardsResponse> {
    if (!request || !Array.isArray(request.items))
      throw badOption('items', 'the request needs an items array');
    const t0 = performance.now();
    const items = request.items;
    const chunks: Chunk[] = [];
    // An empty batch still makes one request, so a bad reward spec is reported as it would be.
    for (let start = 0; start < Math.max(items.length, 1); start += this.#chunkItems)
      chunks.push({
        index: chunks.length,
        start,
        items: items.slice(start, start + this.#chunkItems),
        attempts: 0,
        failedOn: new Set(),
        causes: [],
      });
    const replies: (RewardsResponse | undefined)[] = new Array(chunks.length);
    const answeredBy: string[] = new Array(chunks.length);
    const report = new Map<Replica, ReplicaReport>(
      this.#replicas.map((r) => [r, { url: r.url, chunks: 0, items: 0, failures: 0 }]),
    );
    let attempts = 0;
    let failovers = 0;
    let done = 0;

    await new Promise<void>((resolve, reject) => {
      const pending = [...chunks];
      let timer: NodeJS.Timeout | undefined;
      let failed = false;

      const fail = (err: Error) => {
        failed = true;
        clearTimeout(timer);
        this.#waiting.delete(pump);
        reject(err);
      };

      const pump = () => {
        if (failed) return;
        if (done === chunks.length) {
          clearTimeout(timer);
          this.#waiting.delete(pump);
          resolve();
          return;
        }
        while (pending.length > 0) {
          const replica = this.#pick(pending[0]!);
          if (!replica) break;
          dispatch(pending.shift()!, replica);
        }
        // Nothing could be sent and nothing in flight will call pump again: wake up when the
        // first cooling-down replica with capacity may be tried again.
        if (pending.length > 0 && timer === undefined) {
          const now = Date.now();
          const wake = Math.min(
            ...this.#replicas.filter((r) => r.inFlight < this.#maxInFlight).map((r) => r.downUntil),
          );
          if (Number.isFinite(wake))
            timer = setTimeout(
              () => {
                timer = undefined;
                pump();
              },
              Math.max(1, wake - now),
            );
        }
      };

      const dispatch = (chunk: Chunk, replica: Replica) => {
        replica.inFlight++;
        chunk.attempts++;
        attempts++;
        const attempt = chunk.attempts;
        const body: RewardsRequest = { items: chunk.items, rewards: request.rewards };
        replica.http.request<RewardsResponse>('POST', '/v1/rewards', body).then(
          (reply) => {
            replica.inFlight--;
            this.#wakeOthers(pump);
            if (failed) return;
            const wrong = checkReply(chunk, reply);
            if (wrong) {
              onFailure(chunk, replica, attempt, 'GRPO_CLIENT_BAD_REPLY', wrong);
              return;
            }
            replica.consecutiveFailures = 0;
            replies[chunk.index] = reply;
            answeredBy[chunk.index] = replica.url;
            const r = report.get(replica)!;
            r.chunks++;
            r.items += chunk.items.length;
            done++;
            this.#emit('done', chunk, replica, attempt, done, chunks.length);
            pump();
          },
          (err: unknown) => {
            replica.inFlight--;
            this.#wakeOthers(pump);
            if (failed) return;
            const e =
              err instanceof ServiceClientError
                ? err
                : new ServiceClientError('GRPO_CLIENT_CONNECTION', 0, String(err), attempt);
            if (e.statusCode >= 400 && e.statusCode < 500 && e.statusCode !== 429) {
              fail(e);
              return;
            }
            onFailure(chunk, replica, attempt, e.code, e.message);
          },
        );
      };

      const onFailure = (chunk: Chunk, replica: Replica, attempt: number, code: string, message: string) => {
        replica.consecutiveFailures++;
        const cooldown = Math.min(
          this.#maxCooldownMs,
          this.#cooldownMs * 2 ** Math.min(replica.consecutiveFailures - 1, 30),
        );
        replica.downUntil = Date.now() + cooldown;
        report.get(replica)!.failures++;
        chunk.failedOn.add(replica);
        chunk.causes.push(`[${replica.url}] ${code}: ${message}`);
        this.#emit('failed', chunk, replica, attempt, done, chunks.length, code);
        if (chunk.attempts >= this.#maxAttempts) {
          fail(
            new ServiceClientError(
              'GRPO_CLIENT_REPLICAS_EXHAUSTED',
              0,
              `chunk ${chunk.index} (items ${chunk.start}..${chunk.start + chunk.items.length - 1}) ` +
                `failed ${chunk.attempts} times: ${chunk.causes.join('; ')}`,
              chunk.attempts,
            ),
          );
          return;
        }
        failovers++;
        pending.unshift(chunk);
        pump();
      };

      this.#waiting.add(pump);
      pump();
    });

    const results: RewardItemResult[] = [];
    const stats: RewardStats = {
      items: 0,
      components: 0,
      errors: 0,
      timeouts: 0,
      chunks: 0,
      retriedItems: 0,
      workers: 0,
      ms: 0,
    };
    const workersByUrl = new Map<string, number>();
    for (const [i, reply] of replies.entries()) {
      results.push(...reply!.results);
      workersByUrl.set(answeredBy[i]!, reply!.stats.workers);
      const s = reply!.stats;
      stats.items += s.items;
      stats.components += s.components;
      stats.errors += s.errors;
      stats.timeouts += s.timeouts;
      stats.chunks += s.chunks;
      stats.retriedItems += s.retriedItems;
    }
    for (const w of workersByUrl.values()) stats.workers += w;
    stats.ms = performance.now() - t0;
    return {
      results,
      stats,
      balance: { attempts, failovers, replicas: [...report.values()] },
    };
  }

  /** Lets the other score() calls use the slot that `self` just freed. */
  #wakeOthers(self: () => void) {
    for (const pump of this.#waiting) if (pump !== self) queueMicrotask(pump);
  }

  /**
   * The healthy replica with the fewest requests in flight and room for one more; among equals,
   * the next in round-robin order. Replicas this chunk already failed on come last.
   */
  #pick(chunk: Chunk): Replica | undefined {
    const now = Date.now();
    const n = this.#replicas.length;
    let best: Replica | undefined;
    let bestKey = Number.POSITIVE_INFINITY;
    for (let k = 0; k < n; k++) {
      const r = this.#replicas[(this.#cursor + k) % n]!;
      if (r.inFlight >= this.#maxInFlight || r.downUntil > now) continue;
      const key = (chunk.failedOn.has(r) ? this.#maxInFlight + 1 : 0) + r.inFlight;
      if (key < bestKey) {
        best = r;
        bestKey = key;
      }
    }
    if (best) this.#cursor = (this.#replicas.indexOf(best) + 1) % n;
    return best;
  }

  #emit(
    type: ChunkEvent['type'],
    chunk: Chunk,
    replica: Replica,
    attempt: number,
    doneChunks: number,
    totalChunks: number,
    code?: string,
  ) {
    this.#onChunk?.({ type, chunk: chunk.index, url: replica.url, attempt, doneChunks, totalChunks, code });
  }
}
