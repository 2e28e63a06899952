/** Errors of libs/graph. `field` names the op argument at fault, e.g. `matmul.b`. */
export class GraphError extends Error {
  readonly code: string;
  readonly field: string;
  constructor(code: string, field: string, message: string) {
    super(message);
    this.name = 'GraphError';
    this.code = code;
    this.field = field;
  }
}

/** Operand shapes cannot be composed (broadcast, matmul inner dims, reshape sizes, axes). */
export const SHAPE_MISMATCH = 'GRPO_GRAPH_SHAPE_MISMATCH';
/** Operand dtypes differ or the op does not accept the dtype. */
export const DTYPE_MISMATCH = 'GRPO_GRAPH_DTYPE_MISMATCH';
/** A name is used twice, or an argument is out of range. */
export const BAD_ARGUMENT = 'GRPO_GRAPH_BAD_ARGUMENT';
/** `grad` was asked for something it cannot differentiate. */
export const NOT_DIFFERENTIABLE = 'GRPO_GRAPH_NOT_DIFFERENTIABLE';
/** A train-step feed is missing or has the wrong shape. */
export const BAD_FEED = 'GRPO_GRAPH_BAD_FEED';
