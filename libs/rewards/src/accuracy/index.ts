export { type AccuracyParams, accuracy } from './accuracy.js';
export type { Node as MathNode } from './ast.js';
export { type Extracted, type ExtractMethod, extractAnswer, lastBoxed } from './extract.js';
export * from './limits.js';
export { normalizeAnswer } from './normalize.js';
export { type VerifyOptions, type VerifyResult, type VerifyStatus, verifyMath } from './verify.js';
