import { Value } from '@sinclair/typebox/value';
import { BAD_PARAMS, DUPLICATE_FN, RewardSpecError, UNKNOWN_FN } from './errors.js';
import type { RewardFunction } from './types.js';

/** One entry of a request's reward spec. */
export interface RewardSpecEntry {
  name: string;
  weight?: number;
  params?: Record<string, unknown>;
}

/** A spec entry after validation: params have their defaults filled in. */
export interface ResolvedRewardSpec {
  name: string;
  weight: number;
  params: Record<string, unknown>;
  fn: RewardFunction;
}

/** A registry of reward functions, strict about duplicate and unknown names. */
export class RewardRegistry {
  readonly #fns = new Map<string, RewardFunction>();

  register(fn: RewardFunction<never>): this {
    if (this.#fns.has(fn.name)) {
      throw new RewardSpecError(DUPLICATE_FN, 'name', `reward function "${fn.name}" is already registered`);
    }
    this.#fns.set(fn.name, fn as unknown as RewardFunction);
    return this;
  }

  get(name: string): RewardFunction | undefined {
    return this.#fns.get(name);
  }

  names(): string[] {
    return [...this.#fns.keys()].sort();
  }

  list(): RewardFunction[] {
    return this.names().map((n) => this.#fns.get(n) as RewardFunction);
  }

  /**
   * Validates a request's spec: every name known, every params object valid against the
   * function's schema. Fills defaults. Throws RewardSpecError naming the field.
   */
  resolve(spec: readonly RewardSpecEntry[], field = 'rewards'): ResolvedRewardSpec[] {
    return spec.map((entry, i) => {
      const fn = this.#fns.get(entry.name);
      if (!fn) {
        throw new RewardSpecError(
          UNKNOWN_FN,
          `${field}[${i}].name`,
          `unknown reward function "${entry.name}" at ${field}[${i}].name; valid names: ${this.names().join(', ')}`,
        );
      }
      const params = Value.Default(fn.params, structuredClone(entry.params ?? {})) as Record<string, unknown>;
      if (!Value.Check(fn.params, params)) {
        const first = [...Value.Errors(fn.params, params)][0];
        const where = first?.path
          ? `${field}[${i}].params${first.path.replaceAll('/', '.')}`
          : `${field}[${i}].params`;
        throw new RewardSpecError(
          BAD_PARAMS,
          where,
          `invalid params for "${entry.name}" at ${where}: ${first?.message ?? 'invalid'}`,
        );
      }
      try {
        fn.validate?.(params);
      } catch (e) {
        if (!(e instanceof RewardSpecError)) throw e;
        const where = `${field}[${i}].${e.field}`;
        throw new RewardSpecError(
          e.code,
          where,
          `invalid params for "${entry.name}" at ${where}: ${e.message}`,
        );
      }
      return { name: entry.name, weight: entry.weight ?? 1, params, fn };
    });
  }
}
