export { closeSandboxPool, getSandboxPool } from '@grpo/sandbox';
export {
  CodeParams,
  type CodeTestReport,
  type CodeTestStatus,
  codeReward,
  judge,
  scoreCode,
} from './code.js';
export { type CodeSource, type ExtractedCode, extractCode } from './extract.js';
export { type CodeTest, normalizeOutput, parseReference } from './reference.js';
export { warmCodeSandbox } from './warm.js';
