/**
 * Errors of libs/model. Every error carries a stable code and the field (a JSON path, a
 * tensor name or a file name) that caused it, so services can map it to a 4xx/5xx reply.
 */
export class ModelError extends Error {
  readonly code: string;
  /** What was wrong, e.g. `config.json:num_key_value_heads` or `model.layers.0.self_attn.q_proj.weight`. */
  readonly field: string;
  constructor(code: string, field: string, message: string) {
    super(`${message} [${code}] (${field})`);
    this.name = 'ModelError';
    this.code = code;
    this.field = field;
  }
}

/** A config.json field is missing, has the wrong type, or is out of range. */
export const BAD_CONFIG = 'GRPO_MODEL_BAD_CONFIG';
/** A config.json value names something this package does not implement (model type, rope type). */
export const UNSUPPORTED = 'GRPO_MODEL_UNSUPPORTED';
/** A safetensors file or index is malformed (header, offsets, dtype, size). */
export const BAD_SAFETENSORS = 'GRPO_MODEL_BAD_SAFETENSORS';
/** A parameter the architecture needs is absent from the checkpoint. */
export const MISSING_TENSOR = 'GRPO_MODEL_MISSING_TENSOR';
/** A parameter has a shape other than the config implies. */
export const BAD_SHAPE = 'GRPO_MODEL_BAD_SHAPE';
/** tokenizer.json / tokenizer_config.json cannot be used. */
export const BAD_TOKENIZER = 'GRPO_MODEL_BAD_TOKENIZER';
/** The chat template failed to parse or render. */
export const BAD_TEMPLATE = 'GRPO_MODEL_BAD_TEMPLATE';
/** Sampling parameters are out of range. */
export const BAD_SAMPLING = 'GRPO_MODEL_BAD_SAMPLING';
/** Token ids, positions or options passed to a function are invalid. */
export const BAD_INPUT = 'GRPO_MODEL_BAD_INPUT';
/** A file of a Hugging Face folder is missing or unreadable. */
export const MISSING_FILE = 'GRPO_MODEL_MISSING_FILE';
