/** Bad algorithm or loss configuration: names the field and what is allowed. */
export class AlgorithmConfigError extends Error {
  readonly code = 'GRPO_BAD_ALGORITHM_CONFIG';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'AlgorithmConfigError';
  }
}

/** Bad input to an algorithm step (batch shape, lengths, values): names the field. */
export class AlgorithmInputError extends Error {
  readonly code = 'GRPO_BAD_ALGORITHM_INPUT';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'AlgorithmInputError';
  }
}
