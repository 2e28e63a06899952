import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  countWords,
  detectLanguage,
  detectPromptLanguage,
  languageConsistencyReward,
  languageShare,
  lastUserTurn,
  normalizeLanguage,
  stripNonProse,
} from '../src/functions/index.js';
import { emptyCounts, scanWords, scanWordsReference } from '../src/functions/scripts.js';
import { resolveParams, scoreWith } from './fixtures/rules/helpers.js';
import {
  EN_QUESTION,
  EN_R1,
  EN_R1_PREFILLED,
  EN_TRUNCATED,
  JA_REASONING,
  KO_REASONING,
  prefilledPrompt,
  RU_REASONING,
  r1ZeroPrompt,
  ZH_CODE_SWITCH,
  ZH_MATH,
  ZH_QUESTION,
  ZH_SWITCH,
  ZH_WITH_CODE,
} from './fixtures/rules/traces.js';

const score = (
  completion: string,
  opts: { prompt?: string; language?: string; params?: Record<string, unknown> } = {},
) =>
  scoreWith(
    languageConsistencyReward,
    { completion, prompt: opts.prompt ?? ZH_QUESTION, ...(opts.language ? { language: opts.language } : {}) },
    opts.params ?? {},
  );

test('Chinese is segmented into words, not characters', () => {
  const c = countWords('我们需要计算这个方程');
  assert.equal(c.Han, 5); // 我们 | 需要 | 计算 | 这个 | 方程
});

test('numbers, variables, point names, identifiers and math functions count for no language', () => {
  const c = countWords(stripNonProse('x_1 3x 12.5 ABC camelCase sin gcd f(x) cm'));
  assert.equal(c.Latin, 0);
  assert.equal(c.neutral, 11); // x_1 3x 12 5 ABC camelCase sin gcd f x cm
});

test('LaTeX math, code spans, fences, tags and URLs are stripped before counting', () => {
  const t = stripNonProse(
    '见 $\\frac{a}{b}$ 与 \\(x+y\\)，`const total = items.length`，<think> https://example.com/page\n```\nfor word in words: print(word)\n```',
  );
  const c = countWords(t);
  assert.equal(c.Latin, 0);
  assert.equal(c.Han, 2);
});

test('math-heavy Chinese reasoning scores 1', () => {
  const r = score(ZH_MATH);
  assert.equal(r.score, 1);
  assert.equal(r.status, 'ok');
  assert.equal(r.details?.language, 'zh');
  assert.equal(r.details?.languageSource, 'prompt');
  assert.ok((r.details?.neutralWords as number) > 10);
});

test('Chinese reasoning that switches to English halfway scores below one half', () => {
  const r = score(ZH_SWITCH);
  assert.ok(r.score > 0.2 && r.score < 0.5, String(r.score));
  assert.equal(r.score, (r.details?.targetWords as number) / (r.details?.words as number));
});

test('code-switching inside Chinese sentences costs in proportion to the English words', () => {
  const r = score(ZH_CODE_SWITCH);
  const byScript = r.details?.byScript as Record<string, number>;
  assert.equal(byScript.Latin, 4); // factorization, equation, key, insight
  assert.ok(r.score > 0.8 && r.score < 0.95, String(r.score));
});

test('an English code block inside Chinese reasoning does not count against it', () => {
  assert.equal(score(ZH_WITH_CODE).score, 1);
});

test('English reasoning for a Chinese question scores 0', () => {
  assert.equal(score(EN_R1).score, 0);
});

test('English reasoning for an English question scores 1', () => {
  const r = score(EN_R1, { prompt: EN_QUESTION });
  assert.equal(r.score, 1);
  assert.equal(r.details?.language, 'en');
});

test('the answer block is not part of the reasoning', () => {
  const c = '<think>\n我们先化简，然后求值。\n</think>\n<answer>\nThe final answer is four.\n</answer>';
  assert.equal(score(c).score, 1);
});

test('reasoning completion scores the whole completion, without counting tag names', () => {
  const c = '<think>\n我们先化简，然后求值。\n</think>\n<answer>\nThe final answer is four.\n</answer>';
  const r = score(c, { params: { reasoning: 'completion' } });
  // The five English words of the answer count; `think` and `answer` of the tags do not.
  assert.equal((r.details?.words as number) - (r.details?.targetWords as number), 5);
  assert.equal((r.details?.byScript as Record<string, number>).Latin, 5);
});

test('a Chinese question inside the English R1-Zero template is detected as Chinese', () => {
  const r = score(ZH_MATH, { prompt: r1ZeroPrompt(ZH_QUESTION) });
  assert.equal(r.details?.language, 'zh');
  assert.equal(r.score, 1);
});

test('a ChatML prompt is judged by its last user turn', () => {
  const prompt =
    '<|im_start|>system\nYou are a helpful assistant. Think step by step.<|im_end|>\n' +
    '<|im_start|>user\n1+1等于几？<|im_end|>\n<|im_start|>assistant\n';
  assert.equal(lastUserTurn(prompt), '\n1+1等于几？');
  assert.equal(detectPromptLanguage(prompt), 'zh');
});

test('a prefilled Chinese reasoning is the text before </think>', () => {
  const c = '我们先化简，然后求值。\n</think>\n<answer>\nThe answer is four.\n</answer>';
  const r = score(c, { prompt: prefilledPrompt(ZH_QUESTION) });
  assert.equal(r.score, 1);
  assert.equal(r.details?.reasoning, 'prefilled');
});

test('a truncated reasoning after a prefilled <think> is still a think block', () => {
  const r = score('我们先化简，然后', {
    prompt: prefilledPrompt(ZH_QUESTION),
    params: { reasoning: 'think' },
  });
  assert.equal(r.status, 'ok');
  assert.equal(r.score, 1);
  assert.equal(r.details?.reasoning, 'prefilled');
});

test('a truncated English reasoning is scored to its end', () => {
  const r = score(EN_TRUNCATED, { language: 'en' });
  assert.equal(r.score, 1);
  assert.equal(r.details?.reasoning, 'think');
});

test('the item language overrides params and detection', () => {
  const r = score(EN_R1, { language: 'en', params: { language: 'zh' } });
  assert.equal(r.score, 1);
  assert.equal(r.details?.languageSource, 'item');
});

test('params.language is used when the item has none', () => {
  const r = score(EN_R1_PREFILLED, { params: { language: 'en' } });
  assert.equal(r.score, 1);
  assert.equal(r.details?.languageSource, 'params');
});

test('region and script subtags are ignored', () => {
  assert.equal(normalizeLanguage('zh-Hans-CN'), 'zh');
  assert.equal(normalizeLanguage('EN_us'), 'en');
  assert.equal(score(ZH_MATH, { language: 'zh-CN' }).score, 1);
});

test('an unsupported item language is an error naming the field', () => {
  const r = score(EN_R1, { language: 'xx' });
  assert.equal(r.status, 'error');
  assert.equal(r.reason, 'unsupported_language');
  assert.equal(r.details?.field, 'language');
});

test('an unsupported params.language is rejected by the registry', () => {
  assert.throws(
    () => resolveParams(languageConsistencyReward, { language: 'klingon' }),
    (e: unknown) => (e as { field?: string }).field === 'rewards[0].params.language',
  );
});

test('Japanese reasoning scores 1 for ja and loses its kana words for zh', () => {
  assert.equal(score(JA_REASONING, { language: 'ja' }).score, 1);
  const zh = score(JA_REASONING, { language: 'zh' });
  assert.ok(zh.score > 0 && zh.score < 0.5, String(zh.score));
});

test('a Japanese prompt is detected as Japanese by its kana', () => {
  assert.equal(detectLanguage('次の方程式を解いてください：x^2 - 5x + 6 = 0'), 'ja');
});

test('Korean reasoning scores 1, particles on variables counting as Korean', () => {
  const r = score(KO_REASONING, { prompt: '방정식 x^2 - 5x + 6 = 0 을 푸세요' });
  assert.equal(r.details?.language, 'ko');
  assert.equal(r.score, 1);
});

test('Russian reasoning scores 1 for a Russian prompt', () => {
  const r = score(RU_REASONING, { prompt: 'Решите уравнение x^2 - 5x + 6 = 0' });
  assert.equal(r.details?.language, 'ru');
  assert.equal(r.score, 1);
});

test('an English question naming a Chinese poet is detected as English', () => {
  assert.equal(
    detectLanguage('Who was 李白, and in which dynasty did this famous poet live and write?'),
    'en',
  );
});

test('a Chinese question with a few English terms is detected as Chinese', () => {
  assert.equal(detectLanguage('请用 Python 写一个 quicksort 函数并分析它的时间复杂度'), 'zh');
});

test('a prompt without words and no language given is not applicable', () => {
  const r = score(EN_R1, { prompt: '12 + 7 = ?' });
  assert.equal(r.status, 'not_applicable');
  assert.equal(r.reason, 'no_target_language');
  assert.equal(r.score, 0);
});

test('reasoning made only of math scores 1 with no counted words', () => {
  const r = score('<think>\n$x^2 = 4$, x = 2, 2^2 = 4\n</think>\n<answer>\n2\n</answer>');
  assert.equal(r.score, 1);
  assert.equal(r.status, 'ok');
  assert.equal(r.details?.words, 0);
});

test('an empty think block is unparseable', () => {
  const r = score('<think>\n\n</think>\n<answer>\n2\n</answer>');
  assert.equal(r.status, 'unparseable');
  assert.equal(r.reason, 'empty_reasoning');
  assert.equal(r.score, 0);
});

test('an empty completion is unparseable', () => {
  assert.equal(score('').status, 'unparseable');
});

test('reasoning think without a think block is unparseable', () => {
  const r = score('答案是二。', { params: { reasoning: 'think' } });
  assert.equal(r.status, 'unparseable');
  assert.equal(r.reason, 'no_think_block');
});

test('a completion without a think block is scored whole by default', () => {
  const r = score('我们先化简，然后求值，答案是二。');
  assert.equal(r.score, 1);
  assert.equal(r.details?.reasoning, 'completion');
});

test('a huge Chinese reasoning of 100k characters scores 1', () => {
  const body = '首先我们考虑三角形的两条边，然后利用余弦定理计算第三条边的长度。'.repeat(3000);
  const r = score(`<think>\n${body}\n</think>\n<answer>\n5\n</answer>`);
  assert.equal(r.score, 1);
  assert.equal(r.details?.segmented, false); // all prose is Chinese: the share is 1 whatever the word count
});

test('a huge mixed reasoning of 100k characters is segmented and scored', () => {
  const body = '首先我们考虑三角形的两条边，then we apply the law of cosines. '.repeat(2000);
  const r = score(`<think>\n${body}\n</think>`);
  assert.equal(r.details?.segmented, true);
  assert.ok(r.score > 0.3 && r.score < 0.7, String(r.score));
});

test('the share without segmentation equals the share of a full word count', () => {
  const traces = [
    ZH_MATH,
    ZH_SWITCH,
    ZH_CODE_SWITCH,
    ZH_WITH_CODE,
    JA_REASONING,
    KO_REASONING,
    RU_REASONING,
    EN_R1,
  ];
  for (const t of traces) {
    for (const lang of ['zh', 'ja', 'en', 'ko', 'ru']) {
      const c = countWords(stripNonProse(t), lang === 'ja' ? 'ja' : 'zh');
      const scripts: Record<string, (keyof typeof c)[]> = {
        zh: ['Han'],
        ja: ['Han', 'Kana'],
        en: ['Latin'],
        ko: ['Hangul'],
        ru: ['Cyrillic'],
      };
      const all =
        c.Latin +
        c.Han +
        c.Kana +
        c.Hangul +
        c.Cyrillic +
        c.Greek +
        c.Arabic +
        c.Hebrew +
        c.Devanagari +
        c.Thai +
        c.Other;
      const target = (scripts[lang] ?? []).reduce((n, k) => n + c[k], 0);
      const expected = all === 0 ? 1 : target / all;
      assert.equal(languageShare(t, lang).share, expected, `${lang} ${t.slice(0, 30)}`);
    }
  }
});

test('the fast scanner agrees with the regex reference scanner on every trace', () => {
  const extra = [
    "It's a 'quoted' word, don't stop: x_1, 3x, ABC, camelCase, iPhone, Ωmega, café, naïve, Straße",
    '三角形ABC的面积是S，x轴与y轴，α角，第3步：ゲームを１０回プレイした',
    '방정식 x는 2입니다 and Привет мир, ภาษาไทย ๑๒๓ 😀 emoji 𠀀𠀁 rare Han',
  ];
  for (const t of [
    ZH_MATH,
    ZH_SWITCH,
    ZH_CODE_SWITCH,
    ZH_WITH_CODE,
    JA_REASONING,
    KO_REASONING,
    RU_REASONING,
    EN_R1,
    ...extra,
  ]) {
    const text = stripNonProse(t);
    const a = emptyCounts();
    const b = emptyCounts();
    const ra = scanWords(text, a);
    const rb = scanWordsReference(text, b);
    assert.deepEqual(a, b, t.slice(0, 40));
    assert.deepEqual(ra, rb, t.slice(0, 40));
  }
});
