/**
 * Held-out accuracy of every checkpoint of a run directory, as the trainer's eval stage measures
 * it: the run's eval split (first 100), chat-formatted prompts, greedy, 240 tokens, chunks of 64,
 * scored by the accuracy reward.
 *
 *   node --conditions=source --import tsx services/trainer/bench/eval-checkpoints.ts runs/<id>
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadPolicy, PolicyEngine } from '@grpo/model';
import { createDefaultRegistry } from '@grpo/rewards';
import { loadRunData } from '../src/run/setup.js';

const runDir = process.argv[2]!;
const config = JSON.parse(fs.readFileSync(path.join(runDir, 'config.json'), 'utf8'));
const evalSet = loadRunData(config.data).eval.slice(0, 100);
const acc = createDefaultRegistry().resolve([{ name: 'accuracy', weight: 1 }])[0]!;
const dirs = fs
  .readdirSync(path.join(runDir, 'checkpoints'))
  .filter((d) => d.startsWith('step-'))
  .sort((a, b) => Number(a.slice(5)) - Number(b.slice(5)));
for (const d of dirs) {
  const p = await loadPolicy(path.join(runDir, 'checkpoints', d));
  const engine = await PolicyEngine.create(p, { session: { intraOpNumThreads: 1 } });
  let correct = 0;
  for (let i = 0; i < evalSet.length; i += 64) {
    const chunk = evalSet.slice(i, i + 64);
    const prompts = chunk.map((e) =>
      p.tokenizer.encode(
        p.tokenizer.applyChatTemplate([{ role: 'user', content: e.prompt }], { addGenerationPrompt: true }),
        { addSpecialTokens: false },
      ),
    );
    const out = await engine.generate({ prompts, maxTokens: 240, temperature: 0 });
    for (let j = 0; j < chunk.length; j++)
      correct += (
        await acc.fn.score(
          {
            id: 'x',
            prompt: chunk[j]!.prompt,
            completion: out.completions[j]![0]!.text ?? '',
            reference: chunk[j]!.answer,
          },
          acc.params,
          {},
        )
      ).score;
  }
  console.log(d, correct / evalSet.length);
  await engine.release();
}
