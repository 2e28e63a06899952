/** Errors of libs/onnx. Codes are stable strings; `field` names the offending option or input. */
export class OnnxError extends Error {
  readonly code: string;
  /** The option or input at fault, e.g. `executionProvider` or `feeds.x`. */
  readonly field: string;
  constructor(code: string, field: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'OnnxError';
    this.code = code;
    this.field = field;
  }
}

/** The requested execution provider is not installed or cannot start on this machine. */
export const EP_UNAVAILABLE = 'GRPO_ONNX_EP_UNAVAILABLE';
/** A session option is out of range or of the wrong kind. */
export const BAD_OPTION = 'GRPO_ONNX_BAD_OPTION';
/** ORT rejected the model when creating the session. */
export const BAD_MODEL = 'GRPO_ONNX_BAD_MODEL';
/** A feed is missing, or its data does not match its dtype or shape. */
export const BAD_TENSOR = 'GRPO_ONNX_BAD_TENSOR';
/** ORT failed while running the session. */
export const RUN_FAILED = 'GRPO_ONNX_RUN_FAILED';
