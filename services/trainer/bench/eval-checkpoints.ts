/**
 * Held-out accuracy of every checkpoint of a run directory, as the trainer's last eval stage
 * measures it: its evalCount problems of the run's eval split, chat-formatted prompts, its
 * sampling (greedy by default), chunks of EVAL_CHUNK, scored by the accuracy reward.
 *
 *   node --conditions=source --import tsx services/trainer/bench/eval-checkpoints.ts runs/<id>
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadPolicy, PolicyEngine } from '@grpo/model';
import { createDefaultRegistry } from '@grpo/rewards';
import { chatPromptIds, EVAL_CHUNK } from '../src/run/loop.js';
import { loadRunData } from '../src/run/setup.js';

const runDir = process.argv[2]!;
const config = JSON.parse(fs.readFileSync(path.join(runDir, 'config.json'), 'utf8'));
// The run's last eval stage, with the loop's defaults (greedy, 256 tokens) where it sets none.
const evalStage = config.stages.findLast((st: { type: string }) => st.type === 'eval');
const sampling = { temperature: 0, maxTokens: 256, ...evalStage?.sampling };
const evalSet = loadRunData(config.data).eval.slice(0, evalStage?.evalCount ?? 64);
const acc = createDefaultRegistry().resolve([{ name: 'accuracy', weight: 1 }])[0]!;
const dirs = fs
  .readdirSync(path.join(runDir, 'checkpoints'))
  .filter((d) => d.startsWith('step-'))
  .sort((a, b) => Number(a.slice(5)) - Number(b.slice(5)));
for (const d of dirs) {
  const p = await loadPolicy(path.join(runDir, 'checkpoints', d));
  const engine = await PolicyEngine.create(p, { session: { intraOpNumThreads: 1 } });
  let correct = 0;
  for (let i = 0; i < evalSet.length; i += EVAL_CHUNK) {
    const chunk = evalSet.slice(i, i + EVAL_CHUNK);
    const prompts = chunk.map((e) => chatPromptIds(p.tokenizer, e.prompt));
    const out = await engine.generate({
      prompts,
      maxTokens: sampling.maxTokens,
      temperature: sampling.temperature,
    });
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
