import { Counter, Histogram, type Registry } from '@grpo/service-kit';

/** Receives one observation per scored component; the scorer calls it, the service exports it. */
export interface ScoreObserver {
  /**
   * `seconds` is the function's own run time (measured in the worker for cpu functions),
   * undefined when it never ran to completion (a killed chunk, a skipped item).
   */
  component(fn: string, status: string, seconds: number | undefined): void;
  /** One request's item count. */
  request(items: number): void;
}

/** Buckets of one function call: 10 µs (format on a short string) to 10 s (code tests). */
export const FN_SECONDS_BUCKETS = [1e-5, 1e-4, 5e-4, 1e-3, 5e-3, 0.01, 0.05, 0.1, 0.5, 1, 2.5, 10];
/** Buckets of items per request: a single item up to the default maxItems (20 000) and beyond. */
export const REQUEST_ITEMS_BUCKETS = [1, 8, 64, 256, 1024, 4096, 16_384, 65_536];

/**
 * The reward service's metrics on the app's registry:
 * `grpo_reward_components_total{fn,status}`, `grpo_reward_fn_seconds{fn}` and
 * `grpo_reward_request_items`. Per-label children are cached so a 10 000-item batch costs
 * one map lookup per observation, not a label hash.
 */
export function createRewardMetrics(registry: Registry, prefix = 'grpo_reward_'): ScoreObserver {
  const components = new Counter({
    name: `${prefix}components_total`,
    help: 'Scored components by reward function and status (ok, wrong, unparseable, not_applicable, error).',
    labelNames: ['fn', 'status'],
    registers: [registry],
  });
  const seconds = new Histogram({
    name: `${prefix}fn_seconds`,
    help: 'Run time of one reward function on one item, in seconds (cpu functions: measured in the worker).',
    labelNames: ['fn'],
    buckets: FN_SECONDS_BUCKETS,
    registers: [registry],
  });
  const items = new Histogram({
    name: `${prefix}request_items`,
    help: 'Items per scoring request.',
    buckets: REQUEST_ITEMS_BUCKETS,
    registers: [registry],
  });
  const counterChildren = new Map<string, Counter.Internal>();
  const histChildren = new Map<string, Histogram.Internal<'fn'>>();
  return {
    component(fn, status, s) {
      const key = `${fn}\u0000${status}`;
      let c = counterChildren.get(key);
      if (!c) {
        c = components.labels({ fn, status });
        counterChildren.set(key, c);
      }
      c.inc();
      if (s === undefined) return;
      let h = histChildren.get(fn);
      if (!h) {
        h = seconds.labels({ fn });
        histChildren.set(fn, h);
      }
      h.observe(s);
    },
    request(n) {
      items.observe(n);
    },
  };
}
