import assert from 'node:assert/strict';
import { test } from 'node:test';
import { extractAnswer, verifyMath } from '../src/index.js';
import { LANGS, multilingualCases } from './fixtures/accuracy/multilingual.js';

// Issue 19, family 1: prose answers in other languages, with no tag and no box.

function check(rows: [gold: string, completion: string, status: string][]): string[] {
  return rows.flatMap(([gold, completion, status]) => {
    const r = verifyMath(gold, completion);
    return r.status === status
      ? []
      : [
          `${gold} vs ${JSON.stringify(completion)}: ${r.status} (${r.rule ?? r.reason}, ${JSON.stringify(r.prediction)})`,
        ];
  });
}

test('a sentence in Chinese, Hindi or Arabic is prose: its last number is the answer', () => {
  assert.deepEqual(
    check([
      ['2400', '所以小明一共走了2400米。', 'ok'],
      ['2400', '所以小明一共走了2500米。', 'wrong'],
      ['38', 'तो कुल 38 सेब हैं।', 'ok'],
      ['45', 'إذن الناتج هو **45**.', 'ok'],
      ['3', '综上，他读了3页。', 'ok'],
      ['12', '因此一共12千克', 'ok'],
      ['15', '他们一共用了15分钟', 'ok'],
    ]),
    [],
  );
  assert.equal(verifyMath('2400', '所以小明一共走了2400米。').predictionMethod, 'last_number');
});

test('answer phrases of many languages introduce the answer', () => {
  assert.deepEqual(
    check([
      ['15', '答：需要15分钟。', 'ok'],
      ['15', '答案：15', 'ok'],
      ['6', '정답은 6개입니다.', 'ok'],
      ['6', '답: 6명', 'ok'],
      ['7', '答えは7個です。', 'ok'],
      ['24', 'उत्तर: 24', 'ok'],
      ['24', 'अतः उत्तर 24 रुपये है।', 'ok'],
      ['45', 'الإجابة هي 45', 'ok'],
      ['12', 'Ответ: 12 яблок.', 'ok'],
      ['8', 'Respuesta: 8', 'ok'],
      ['17', 'Donc la réponse est 17 €.', 'ok'],
      ['9', 'Antwort: 9 Äpfel', 'ok'],
      ['11', 'Cevap: 11', 'ok'],
      ['11', 'Đáp án: 11', 'ok'],
      ['11', 'Odpowiedź: 11', 'ok'],
    ]),
    [],
  );
});

test('an answer phrase wins over a later number in a note', () => {
  const r = verifyMath('15', '答：需要15分钟。（每分钟走160米）');
  assert.equal(r.status, 'ok');
  assert.equal(r.predictionMethod, 'phrase');
});

test('a word inside another word is no answer phrase (ответить, 대답)', () => {
  assert.equal(
    extractAnswer('Чтобы ответить, считаем 3 + 4 = 7', { lastNumberFallback: true, whole: 'bare' })?.method,
    'last_number',
  );
  assert.equal(
    extractAnswer('대답은 나중에. 3 + 4 = 7', { lastNumberFallback: true, whole: 'bare' })?.answer,
    '7',
  );
});

test('a glued unit or measure word does not hide the number', () => {
  assert.deepEqual(
    check([
      ['2400', '2400米', 'ok'],
      ['15', '15分钟', 'ok'],
      ['3', '3页', 'ok'],
      ['12', '12千克', 'ok'],
      ['12', '12 кг', 'ok'],
      ['120', 'Il faut donc 120 €.', 'ok'],
    ]),
    [],
  );
});

test('Markdown bold around the answer or the phrase is not part of it', () => {
  assert.deepEqual(
    check([
      ['45', '**45**', 'ok'],
      ['45', '**Ответ:** 45', 'ok'],
      ['45', '**答案：45**', 'ok'],
      ['45', 'The total is **45** apples.', 'ok'],
      ['x^2', 'x**2', 'ok'],
    ]),
    [],
  );
});

test('fractions written 5/12 or (\\frac{3}{7}) in prose are read whole', () => {
  assert.deepEqual(
    check([
      [String.raw`\frac{5}{12}`, '比值是5/12', 'ok'],
      [String.raw`\frac{5}{12}`, '比值是5/13', 'wrong'],
      [String.raw`\frac{3}{7}`, String.raw`La probabilidad es (\frac{3}{7}).`, 'ok'],
      [String.raw`\frac{3}{7}`, String.raw`so the probability is \dfrac{3}{7}`, 'ok'],
      [String.raw`\sqrt{2}`, String.raw`因此边长为 \sqrt{2}`, 'ok'],
    ]),
    [],
  );
});

test('digits of other scripts are read as digits', () => {
  assert.deepEqual(
    check([
      ['372', 'الإجابة هي ٣٧٢', 'ok'],
      ['3.5', 'الناتج ٣٫٥', 'ok'],
      ['24', 'उत्तर: २४', 'ok'],
      ['24', 'উত্তর: ২৪', 'ok'],
      ['24', 'คำตอบคือ ๒๔', 'ok'],
      ['2400', '一共走了２４００米', 'ok'],
      ['2400', 'الناتج ٢٬٤٠٠', 'ok'],
      ['2400', 'Il a donc parcouru 2\u202f400 m.', 'ok'],
    ]),
    [],
  );
});

test('conjunctions of other languages between answers form a list', () => {
  assert.deepEqual(
    check([
      ['2, 3', 'x=2或x=3', 'ok'],
      ['2, 3', '2 или 3', 'ok'],
      ['2, 3', '2 et 3', 'ok'],
      ['3, 5', '所以答案是 $x=3$ 或 $x=5$。', 'ok'],
      ['3, 5', 'Ответ: $x=3$ или $x=5$.', 'ok'],
    ]),
    [],
  );
});

test('words of another script around the number in a box are dropped', () => {
  assert.deepEqual(
    check([
      ['12', String.raw`\boxed{\text{共 } 12 \text{ 个}}`, 'ok'],
      ['12', String.raw`\boxed{\text{答案是 } 12}`, 'ok'],
      ['12', String.raw`\boxed{约 12}`, 'ok'],
      ['12', String.raw`\boxed{共13个}`, 'wrong'],
    ]),
    [],
  );
});

test('a word answer in another script stays a word answer', () => {
  assert.equal(verifyMath('北京', '北京').status, 'ok');
  assert.equal(verifyMath('Montag', 'Antwort: Montag').status, 'ok');
});

const generated = multilingualCases();

test(`the multilingual set holds at least 300 items in at least 8 languages (has ${generated.length})`, () => {
  assert.ok(generated.length >= 300);
  assert.ok(LANGS.length >= 8);
  for (const lang of LANGS) {
    const mine = generated.filter((c) => c.lang === lang);
    assert.ok(mine.some((c) => c.expected === 'ok') && mine.some((c) => c.expected === 'wrong'), lang);
  }
});

for (const lang of LANGS) {
  test(`every generated ${lang} completion gets its known verdict`, () => {
    const failures = generated
      .filter((c) => c.lang === lang)
      .flatMap((c) => {
        const r = verifyMath(c.gold, c.completion);
        return (r.status === 'ok') === (c.expected === 'ok')
          ? []
          : [
              `#${c.template} ${c.gold} vs ${JSON.stringify(c.completion)}: ${r.status}, expected ${c.expected}`,
            ];
      });
    assert.deepEqual(failures, []);
  });
}
