/**
 * What a checkpoint of the quick-start gets wrong: greedy accuracy on fresh arithmetic problems,
 * the share of worked columns whose digit sum (or difference) is wrong and the column "facts"
 * (e.g. `7-5-0`: 7 minus 5 minus borrow 0) the policy mostly gets wrong, and pass@k with mean
 * sampled accuracy at the given temperatures.
 *
 *   DATA='{"minDigits":3,"maxDigits":3,"ops":["+","-"]}' TS=0.5,1 K=8 \
 *     node --conditions=source --import tsx services/trainer/bench/policy-probe.ts runs/<id>/checkpoints/step-800 ...
 *
 * Env: DATA (arithmetic options; default 2-digit additions, 25% Chinese), N (problems, default
 * 400, seed 77: not the recipe's splits), TS (temperatures for pass@k; empty = none), K.
 */
import { loadPolicy, PolicyEngine } from '@grpo/model';
import { createDefaultRegistry } from '@grpo/rewards';
import { type Example, generateArithmetic } from '../src/data/index.js';
import { chatPromptIds } from '../src/run/loop.js';

const data = JSON.parse(process.env.DATA ?? '{}');
const problems = generateArithmetic({
  count: Number(process.env.N ?? 400),
  minDigits: 2,
  maxDigits: 2,
  zhFraction: 0.25,
  ops: ['+'],
  seed: 77,
  idPrefix: 'probe',
  ...data,
});
const temperatures = (process.env.TS ?? '').split(',').filter(Boolean).map(Number);
const K = Number(process.env.K ?? 8);
const acc = createDefaultRegistry().resolve([{ name: 'accuracy', weight: 1 }])[0]!;
const correct = async (e: Example, text: string) =>
  (await acc.fn.score({ id: e.id, prompt: e.prompt, completion: text, reference: e.answer }, acc.params, {}))
    .score === 1;
/** "ones: 7 - 5 - 0 = 2" / "十位：3 + 4 + 1 = 8" / "tens: 1 - 5 - 0 + 10 = 6". */
const COLUMN = /[:：] ?(\d) ([+-]) (\d) [+-] (\d)(?: \+ 10)? = (\d+)/g;

for (const dir of process.argv.slice(2)) {
  const policy = await loadPolicy(dir);
  const engine = await PolicyEngine.create(policy, { session: { intraOpNumThreads: 2 } });
  const ids = (e: Example) => chatPromptIds(policy.tokenizer, e.prompt);
  const sample = async (temperature: number, groupSize: number) => {
    const texts: string[][] = [];
    const chunk = Math.max(1, Math.floor(200 / groupSize));
    for (let i = 0; i < problems.length; i += chunk) {
      const out = await engine.generate({
        prompts: problems.slice(i, i + chunk).map(ids),
        maxTokens: 256,
        temperature,
        groupSize,
        seed: 5 + i,
      });
      for (const g of out.completions) texts.push(g.map((c) => c.text ?? ''));
    }
    return texts;
  };

  const greedy = await sample(0, 1);
  let right = 0;
  let columns = 0;
  let wrongColumns = 0;
  const seen = new Map<string, { n: number; wrong: number }>();
  for (const [i, e] of problems.entries()) {
    const text = greedy[i]![0]!;
    if (await correct(e, text)) right++;
    for (const m of text.matchAll(COLUMN)) {
      const [x, op, y, c, got] = [Number(m[1]), m[2], Number(m[3]), Number(m[4]), Number(m[5])];
      const want = op === '+' ? x + y + c : (x - y - c + 10) % 10;
      const fact = `${x}${op}${y}${op}${c}`;
      const f = seen.get(fact) ?? { n: 0, wrong: 0 };
      f.n++;
      columns++;
      if (got !== want) {
        f.wrong++;
        wrongColumns++;
      }
      seen.set(fact, f);
    }
  }
  const mostlyWrong = [...seen]
    .filter(([, f]) => f.wrong / f.n > 0.5)
    .sort((a, b) => b[1].wrong - a[1].wrong);
  const line: Record<string, unknown> = {
    checkpoint: dir,
    greedyAccuracy: right / problems.length,
    columns,
    wrongColumnShare: Number((wrongColumns / Math.max(1, columns)).toFixed(3)),
    facts: seen.size,
    mostlyWrongFacts: mostlyWrong.length,
    worst: mostlyWrong.slice(0, 8).map(([k, f]) => `${k}:${f.wrong}/${f.n}`),
  };
  for (const t of temperatures) {
    const groups = await sample(t, K);
    let pass = 0;
    let mean = 0;
    for (const [i, e] of problems.entries()) {
      const ok = await Promise.all(groups[i]!.map((text) => correct(e, text)));
      if (ok.some(Boolean)) pass++;
      mean += ok.filter(Boolean).length / K;
    }
    line[`T${t}`] = {
      [`pass@${K}`]: pass / problems.length,
      meanAccuracy: Number((mean / problems.length).toFixed(3)),
    };
  }
  console.log(JSON.stringify(line));
  await engine.release();
}
