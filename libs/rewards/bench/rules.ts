/**
 * Throughput of the rule-based reward functions on 10,000 realistic R1-style items (English, Chinese,
 * mixed, prefilled, truncated), scored in-process on one thread. Throughput is per CPU-second of this process.
 *   node --conditions=source --import tsx libs/rewards/bench/rules.ts
 */
import {
  formatReward,
  languageConsistencyReward,
  lengthReward,
  repetitionReward,
  tagsReward,
} from '../src/functions/index.js';
import { RewardRegistry } from '../src/registry.js';
import type { RewardFunction, RewardItem } from '../src/types.js';
import * as T from '../test/fixtures/rules/traces.js';

const ITEMS = 10_000;
const templates: { completion: string; prompt: string; language?: string }[] = [
  { completion: T.EN_R1, prompt: T.r1ZeroPrompt(T.EN_QUESTION) },
  { completion: T.EN_R1_PREFILLED, prompt: T.prefilledPrompt(T.EN_QUESTION) },
  { completion: T.EN_TRUNCATED, prompt: T.r1ZeroPrompt(T.EN_QUESTION) },
  { completion: T.ZH_MATH, prompt: T.r1ZeroPrompt(T.ZH_QUESTION) },
  { completion: T.ZH_SWITCH, prompt: T.prefilledPrompt(T.ZH_QUESTION) },
  { completion: T.ZH_CODE_SWITCH, prompt: T.ZH_QUESTION, language: 'zh' },
  { completion: T.ZH_WITH_CODE, prompt: T.ZH_QUESTION },
  { completion: T.CODE_TAGS, prompt: 'Write a wrap function.', language: 'en' },
];
// Grow each completion to about 2k characters by repeating its reasoning, as long rollouts do.
const items: RewardItem[] = [];
for (let i = 0; i < ITEMS; i++) {
  const t = templates[i % templates.length] as (typeof templates)[number];
  const close = t.completion.indexOf('</think>');
  const reasoning = close === -1 ? t.completion : t.completion.slice(0, close);
  let body = reasoning;
  while (body.length < 2000) body += `\n${reasoning.replace('<think>\n', '')}`;
  const completion = close === -1 ? body : body + t.completion.slice(close);
  items.push({
    id: String(i),
    prompt: t.prompt,
    completion,
    reference: { correct: i % 3 === 0 },
    ...(t.language ? { language: t.language } : {}),
  });
}
const avgChars = Math.round(items.reduce((n, it) => n + it.completion.length, 0) / items.length);

function bench(
  fn: RewardFunction<never>,
  params: Record<string, unknown>,
  label: string,
  subset: readonly RewardItem[] = items,
): void {
  const reg = new RewardRegistry().register(fn);
  const [spec] = reg.resolve([{ name: fn.name, params }]);
  const p = spec?.params as never;
  for (let i = 0; i < 500; i++) fn.score(subset[i % subset.length] as RewardItem, p, {});
  // CPU time of this thread, not wall time: on a shared machine wall time also counts other processes.
  const t0 = process.cpuUsage();
  let sum = 0;
  for (const it of subset) sum += (fn.score(it, p, {}) as { score: number }).score;
  const used = process.cpuUsage(t0);
  const ms = (used.user + used.system) / 1000;
  const perItemUs = (ms * 1000) / subset.length;
  console.log(
    `${label.padEnd(34)} ${Math.round(subset.length / (ms / 1000))
      .toLocaleString('en-US')
      .padStart(
        10,
      )} items/s  ${perItemUs.toFixed(1).padStart(7)} µs/item  (mean score ${(sum / subset.length).toFixed(3)})`,
  );
}

console.log(`${ITEMS} items, mean completion ${avgChars} chars, Node ${process.version}`);
bench(formatReward as RewardFunction<never>, {}, 'format (strict)');
bench(formatReward as RewardFunction<never>, { mode: 'whitespace' }, 'format (whitespace)');
bench(tagsReward as RewardFunction<never>, {}, 'tags (count)');
bench(tagsReward as RewardFunction<never>, { mode: 'position' }, 'tags (position)');
bench(languageConsistencyReward as RewardFunction<never>, {}, 'language_consistency');
bench(
  lengthReward as RewardFunction<never>,
  { maxLength: 4096, cacheLength: 1024 },
  'length (overlong, chars)',
);
bench(lengthReward as RewardFunction<never>, { method: 'cosine', unit: 'words' }, 'length (cosine, words)');
bench(repetitionReward as RewardFunction<never>, {}, 'repetition (trigrams)');

// The language reward's cost depends on the prose: ICU segmentation runs only when the share depends on it.
const lang = languageConsistencyReward as RewardFunction<never>;
const pick = (i: number) => items.filter((_, k) => k % templates.length === i);
bench(lang, {}, '  of which English', pick(0));
bench(lang, {}, '  of which Chinese (math-heavy)', pick(3));
bench(lang, {}, '  of which Chinese/English mixed', pick(4));
