/** What a charge against a bucket decided, with everything the rate-limit headers need. */
export interface ChargeResult {
  allowed: boolean;
  /** Bucket size (items). */
  limit: number;
  /** Items left after this request (or before it, when refused), rounded down. */
  remaining: number;
  /** Seconds until the bucket is full again. */
  resetS: number;
  /** Seconds until this request's cost is available; 0 when allowed. */
  retryAfterS: number;
}

/**
 * A token bucket in items: it holds at most `burstItems`, refills at `ratePerS` items per
 * second, and a request costs its number of items. Time comes from `now()` (ms) so tests
 * can drive it; refill is computed lazily at each charge, so idle buckets cost nothing.
 */
export class TokenBucket {
  readonly ratePerS: number;
  readonly burstItems: number;
  #tokens: number;
  #lastMs: number;
  readonly #now: () => number;

  constructor(ratePerS: number, burstItems: number, now: () => number = () => performance.now()) {
    if (!(ratePerS > 0)) throw new RangeError(`ratePerS must be > 0, got ${ratePerS}`);
    if (!(burstItems >= 1)) throw new RangeError(`burstItems must be >= 1, got ${burstItems}`);
    this.ratePerS = ratePerS;
    this.burstItems = burstItems;
    this.#tokens = burstItems;
    this.#now = now;
    this.#lastMs = now();
  }

  #refill(): void {
    const now = this.#now();
    this.#tokens = Math.min(this.burstItems, this.#tokens + ((now - this.#lastMs) / 1000) * this.ratePerS);
    this.#lastMs = now;
  }

  /** Takes `cost` items when available; otherwise takes nothing and says how long to wait. */
  charge(cost: number): ChargeResult {
    this.#refill();
    const allowed = cost <= this.#tokens;
    if (allowed) this.#tokens -= cost;
    const deficit = allowed ? 0 : cost - this.#tokens;
    return {
      allowed,
      limit: this.burstItems,
      remaining: Math.floor(this.#tokens),
      resetS: Math.ceil((this.burstItems - this.#tokens) / this.ratePerS),
      retryAfterS: allowed ? 0 : Math.max(1, Math.ceil(deficit / this.ratePerS)),
    };
  }
}
