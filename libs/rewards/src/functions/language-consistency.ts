import { type Static, Type } from '@sinclair/typebox';
import type { RewardFunction, RewardItem, RewardResult } from '../types.js';
import {
  countWords,
  emptyCounts,
  SCRIPTS,
  type Script,
  type ScriptCounts,
  scanWords,
  segmentRuns,
  stripNonProse,
} from './scripts.js';
import { prefillPrefix, THINK_OPEN, thinkBlock } from './template.js';

/** Scripts whose words count as the language's. Languages sharing a script are not told apart. */
const LANGUAGE_SCRIPTS: Record<string, readonly Script[]> = {
  zh: ['Han'],
  ja: ['Han', 'Kana'],
  ko: ['Hangul'],
  ru: ['Cyrillic'],
  el: ['Greek'],
  ar: ['Arabic'],
  he: ['Hebrew'],
  hi: ['Devanagari'],
  th: ['Thai'],
};
for (const code of ['uk', 'be', 'bg', 'sr', 'mk', 'kk', 'ky', 'mn', 'tg'])
  LANGUAGE_SCRIPTS[code] = ['Cyrillic'];
for (const code of ['fa', 'ur', 'ps']) LANGUAGE_SCRIPTS[code] = ['Arabic'];
for (const code of ['mr', 'ne', 'sa']) LANGUAGE_SCRIPTS[code] = ['Devanagari'];
for (const code of ['yi']) LANGUAGE_SCRIPTS[code] = ['Hebrew'];
// biome-ignore format: a table
for (const code of [
  'en', 'fr', 'de', 'es', 'it', 'pt', 'nl', 'sv', 'da', 'no', 'nb', 'nn', 'fi', 'pl', 'cs', 'sk', 'sl', 'hr', 'bs',
  'ro', 'hu', 'tr', 'id', 'ms', 'vi', 'tl', 'ca', 'eu', 'gl', 'et', 'lv', 'lt', 'sq', 'is', 'ga', 'cy', 'sw', 'af',
  'uz', 'az', 'la', 'eo', 'mt', 'lb', 'fil',
]) LANGUAGE_SCRIPTS[code] = ['Latin'];

/** Language codes the reward understands (ISO 639-1, plus `fil`). */
export const SUPPORTED_LANGUAGES: readonly string[] = Object.keys(LANGUAGE_SCRIPTS).sort();

/** `zh-Hans-CN` → `zh`, `EN_us` → `en`; undefined when the base code is not supported. */
export function normalizeLanguage(code: string): string | undefined {
  const base = code.trim().toLowerCase().split(/[-_]/)[0] ?? '';
  return LANGUAGE_SCRIPTS[base] ? base : undefined;
}

export const LanguageConsistencyParams = Type.Object(
  {
    language: Type.String({
      default: 'auto',
      maxLength: 16,
      pattern: `^(auto|${SUPPORTED_LANGUAGES.join('|')})([-_][A-Za-z0-9]{1,8})*$`,
      description:
        'Target language when the item has no `language`: a code such as `en`, `zh`, `ja`, `ko`, `ru` (region and ' +
        'script subtags are ignored), or `auto` to detect it from the prompt.',
    }),
    reasoning: Type.Union(
      [Type.Literal('think_or_completion'), Type.Literal('think'), Type.Literal('completion')],
      {
        default: 'think_or_completion',
        description:
          'What is scored: the `<think>` block (to the end when truncated; the text before `</think>` when the template ' +
          'prefilled `<think>`), falling back to the whole completion (`think_or_completion`), only the block (`think`: ' +
          'none is unparseable), or always the whole completion (`completion`).',
      },
    ),
    minDetectShare: Type.Number({
      default: 0.25,
      minimum: 0,
      maximum: 1,
      description:
        'Detection: a non-Latin script wins when it has at least this share of the words of the last user turn ' +
        '(the whole prompt when it has no chat markers), so a Chinese question with a few English terms is Chinese.',
    }),
  },
  { additionalProperties: false },
);
export type LanguageConsistencyParams = Static<typeof LanguageConsistencyParams>;

function total(c: ScriptCounts): number {
  let n = 0;
  for (const s of SCRIPTS) n += c[s];
  return n;
}

/**
 * The language of a text by its script: Han → zh (ja when kana are at least 10% of the CJK words), Hangul → ko,
 * Cyrillic → ru, Greek → el, Arabic → ar, Hebrew → he, Devanagari → hi, Thai → th, Latin → en. A non-Latin
 * script with at least `minShare` of the words beats Latin. Undefined when the text has no words.
 */
export function detectLanguage(text: string, minShare = 0.25): string | undefined {
  const c = countWords(stripNonProse(text));
  const all = total(c);
  if (all === 0) return undefined;
  const cjk = c.Han + c.Kana;
  const groups: [string, number][] = [
    [c.Kana >= 0.1 * cjk ? 'ja' : 'zh', cjk],
    ['ko', c.Hangul],
    ['ru', c.Cyrillic],
    ['el', c.Greek],
    ['ar', c.Arabic],
    ['he', c.Hebrew],
    ['hi', c.Devanagari],
    ['th', c.Thai],
  ];
  let best: [string, number] = ['', 0];
  for (const g of groups) if (g[1] > best[1]) best = g;
  if (best[1] > 0 && (best[1] >= minShare * all || best[1] >= c.Latin)) return best[0];
  return c.Latin > 0 ? 'en' : undefined;
}

// Where the user's turn starts and ends in common prompt formats: the R1-Zero template ("User: … Assistant:"),
// ChatML, Llama 3, Gemma, Mistral, DeepSeek (fullwidth bars) and Phi chat templates.
const USER_MARK =
  /<\|im_start\|>user|<[|｜]User[|｜]>|<\|start_header_id\|>user<\|end_header_id\|>|<start_of_turn>user|\[INST\]|<\|user\|>|\b(?:User|USER|Human|HUMAN)\s*:/g;
const TURN_END =
  /<\|im_end\|>|<[|｜]Assistant[|｜]>|<\|eot_id\|>|<end_of_turn>|\[\/INST\]|<\|end\|>|<\|assistant\|>|\b(?:Assistant|ASSISTANT)\s*:/;

/**
 * The last user turn of a prompt that uses a chat or R1 template, else the whole prompt: templates wrap the
 * question in English boilerplate that says nothing about the language the user asked in.
 */
export function lastUserTurn(prompt: string): string {
  let start = -1;
  for (const m of prompt.matchAll(USER_MARK)) start = (m.index ?? 0) + m[0].length;
  if (start === -1) return prompt;
  const rest = prompt.slice(start);
  const end = TURN_END.exec(rest);
  return end ? rest.slice(0, end.index) : rest;
}

/** The target language detected from a prompt: its last user turn, else the whole prompt. */
export function detectPromptLanguage(prompt: string, minShare = 0.25): string | undefined {
  const turn = lastUserTurn(prompt);
  return (turn !== prompt ? detectLanguage(turn, minShare) : undefined) ?? detectLanguage(prompt, minShare);
}

// GRPO scores a group of G completions per prompt, so the same prompt arrives G times in a row.
const DETECT_CACHE_SIZE = 256;
const detected = new Map<string, string | undefined>();
function detectCached(prompt: string, minShare: number): string | undefined {
  const key = `${minShare}\u0000${prompt}`;
  if (detected.has(key)) return detected.get(key);
  const lang = detectPromptLanguage(prompt, minShare);
  if (detected.size >= DETECT_CACHE_SIZE) detected.clear();
  detected.set(key, lang);
  return lang;
}

/** The outcome of {@link languageShare}. */
export interface LanguageShare {
  /** Target-language words / countable words; 1 when nothing is countable. */
  share: number;
  /** Countable and target words; undefined when segmentation was skipped (see `segmented`). */
  words?: number;
  target?: number;
  /** Words per script; Han/Kana/Thai stay 0 when segmentation was skipped. */
  counts: ScriptCounts;
  /** Scripts with countable words in the text. */
  scripts: Script[];
  /**
   * False when the text's countable scripts are all inside or all outside the target's, so the share is 1 or 0
   * whatever the word count of its Han/kana/Thai runs, and ICU segmentation (the costly part) was skipped.
   */
  segmented: boolean;
}

/** Share of the countable words of `text` written in `language`'s script. */
export function languageShare(text: string, language: string): LanguageShare {
  const scripts = LANGUAGE_SCRIPTS[language] ?? [];
  const counts = emptyCounts();
  const runs = scanWords(stripNonProse(text), counts);
  const present = new Set<Script>();
  for (const s of SCRIPTS) if (counts[s] > 0) present.add(s);
  for (const r of runs) {
    if (r.thai) present.add('Thai');
    if (r.hasHan) present.add('Han');
    if (r.hasKana) present.add('Kana');
  }
  let inside = false;
  let outside = false;
  for (const s of present) {
    if (scripts.includes(s)) inside = true;
    else outside = true;
  }
  if (runs.length > 0 && !(inside && outside)) {
    return { share: outside ? 0 : 1, counts, scripts: [...present], segmented: false };
  }
  segmentRuns(runs, language === 'ja' ? 'ja' : 'zh', counts);
  const words = total(counts);
  let target = 0;
  for (const s of scripts) target += counts[s];
  return {
    share: words === 0 ? 1 : target / words,
    target,
    words,
    counts,
    scripts: [...present],
    segmented: runs.length > 0,
  };
}

function resolveTarget(
  item: RewardItem,
  p: LanguageConsistencyParams,
): { language: string; source: string } | { error: RewardResult } {
  if (item.language !== undefined && item.language !== '') {
    const language = normalizeLanguage(item.language);
    if (language) return { language, source: 'item' };
    return {
      error: {
        score: 0,
        status: 'error',
        reason: 'unsupported_language',
        details: { field: 'language', language: item.language, supported: SUPPORTED_LANGUAGES },
      },
    };
  }
  if (p.language !== 'auto') {
    const language = normalizeLanguage(p.language);
    if (language) return { language, source: 'params' };
    return {
      error: {
        score: 0,
        status: 'error',
        reason: 'unsupported_language',
        details: { field: 'params.language', language: p.language, supported: SUPPORTED_LANGUAGES },
      },
    };
  }
  const language = detectCached(item.prompt, p.minDetectShare);
  if (language) return { language, source: 'prompt' };
  return { error: { score: 0, status: 'not_applicable', reason: 'no_target_language' } };
}

export const languageConsistencyReward: RewardFunction<LanguageConsistencyParams> = {
  name: 'language_consistency',
  description:
    "DeepSeek-R1 language consistency reward: the share of the reasoning's words written in the target language " +
    '(item.language, params.language, or detected from the prompt). Chinese and Japanese are segmented into words ' +
    'with ICU; numbers, math, code and identifiers count for no language. No countable words scores 1.',
  params: LanguageConsistencyParams,
  kind: 'cpu',
  score(item: RewardItem, p: LanguageConsistencyParams): RewardResult {
    const target = resolveTarget(item, p);
    if ('error' in target) return target.error;
    let text: string;
    let source: string;
    if (p.reasoning === 'completion') {
      text = item.completion;
      source = 'completion';
    } else {
      // A chat template that prefilled `<think>` makes the whole completion reasoning up to `</think>`,
      // even when it was truncated before closing it.
      const prefilled = prefillPrefix(item.prompt, item.completion, 'auto') !== '';
      const block = thinkBlock(prefilled ? `${THINK_OPEN}${item.completion}` : item.completion);
      if (block && prefilled) block.source = 'prefilled';
      if (!block && p.reasoning === 'think') {
        return {
          score: 0,
          status: 'unparseable',
          reason: 'no_think_block',
          details: { language: target.language },
        };
      }
      text = block ? block.text : item.completion;
      source = block ? block.source : 'completion';
    }
    if (text.trim() === '') {
      return {
        score: 0,
        status: 'unparseable',
        reason: 'empty_reasoning',
        details: { language: target.language },
      };
    }
    const r = languageShare(text, target.language);
    const byScript: Record<string, number> = {};
    for (const s of SCRIPTS) if (r.counts[s] > 0) byScript[s] = r.counts[s];
    return {
      score: r.share,
      status: 'ok',
      details: {
        language: target.language,
        languageSource: target.source,
        reasoning: source,
        ...(r.words !== undefined ? { words: r.words, targetWords: r.target } : {}),
        neutralWords: r.counts.neutral,
        scripts: r.scripts,
        byScript,
        segmented: r.segmented,
      },
    };
  },
};
