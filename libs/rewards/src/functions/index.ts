export { diagnoseFormat, FormatParams, formatReward, matchesFormat, matchesOpenR1Format } from './format.js';
export {
  detectLanguage,
  detectPromptLanguage,
  LanguageConsistencyParams,
  languageConsistencyReward,
  languageShare,
  lastUserTurn,
  normalizeLanguage,
  SUPPORTED_LANGUAGES,
} from './language-consistency.js';
export {
  cosineLengthReward,
  LengthParams,
  lengthReward,
  measureLength,
  softOverlongPenalty,
} from './length.js';
export { ngramStats, RepetitionParams, repetitionPenalty, repetitionReward } from './repetition.js';
export { countWords, type Script, type ScriptCounts, stripNonProse } from './scripts.js';
export { countTags, positionTags, type TagChecks, TagsParams, tagsReward } from './tags.js';
export { type PrefillMode, prefillPrefix, type Reasoning, thinkBlock } from './template.js';
