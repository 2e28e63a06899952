import {
  type AdvantageEstimator,
  drGrpo,
  grpo,
  reinforcePlusPlus,
  reinforcePlusPlusBaseline,
  rloo,
} from './advantages.js';

export class UnknownAlgorithmError extends Error {
  readonly code = 'GRPO_UNKNOWN_ALGORITHM';
  constructor(
    readonly field: string,
    name: string,
    valid: readonly string[],
  ) {
    super(`unknown ${field} "${name}"; valid: ${valid.join(', ')}`);
    this.name = 'UnknownAlgorithmError';
  }
}

/** A registry of advantage estimators, strict about duplicate and unknown names. */
export class AdvantageRegistry {
  readonly #byName = new Map<string, AdvantageEstimator>();

  register(estimator: AdvantageEstimator): this {
    if (this.#byName.has(estimator.name)) {
      throw new Error(`advantage estimator "${estimator.name}" is already registered`);
    }
    this.#byName.set(estimator.name, estimator);
    return this;
  }

  names(): string[] {
    return [...this.#byName.keys()].sort();
  }

  get(name: string): AdvantageEstimator {
    const e = this.#byName.get(name);
    if (!e) throw new UnknownAlgorithmError('advantage estimator', name, this.names());
    return e;
  }
}

/** A fresh registry with every built-in estimator. */
export function createAdvantageRegistry(): AdvantageRegistry {
  const r = new AdvantageRegistry();
  for (const e of [grpo, drGrpo, rloo, reinforcePlusPlus, reinforcePlusPlusBaseline]) r.register(e);
  return r;
}
