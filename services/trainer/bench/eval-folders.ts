/**
 * Greedy held-out accuracy of model folders on a slice of a run's eval split, scored as the
 * trainer's eval stage scores it (chat-formatted prompts, chunks of EVAL_CHUNK, the accuracy
 * reward). For re-scoring the final policies of a comparison on more problems.
 *
 *   node --conditions=source --import tsx services/trainer/bench/eval-folders.ts \
 *     <run dir whose config.json gives the data> <from> <to> <maxTokens> <model folder>...
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadPolicy, PolicyEngine } from '@grpo/model';
import { createDefaultRegistry } from '@grpo/rewards';
import { chatPromptIds, EVAL_CHUNK } from '../src/run/loop.js';
import { loadRunData } from '../src/run/setup.js';

const [runDir, from, to, maxTokens, ...folders] = process.argv.slice(2);
const config = JSON.parse(fs.readFileSync(path.join(runDir!, 'config.json'), 'utf8'));
const evalSet = loadRunData(config.data).eval.slice(Number(from), Number(to));
const acc = createDefaultRegistry().resolve([{ name: 'accuracy', weight: 1 }])[0]!;
for (const dir of folders) {
  const p = await loadPolicy(dir);
  const engine = await PolicyEngine.create(p, { session: { intraOpNumThreads: 1 } });
  let correct = 0;
  for (let i = 0; i < evalSet.length; i += EVAL_CHUNK) {
    const chunk = evalSet.slice(i, i + EVAL_CHUNK);
    const out = await engine.generate({
      prompts: chunk.map((e) => chatPromptIds(p.tokenizer, e.prompt)),
      maxTokens: Number(maxTokens),
      temperature: 0,
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
  console.log(JSON.stringify({ dir, problems: evalSet.length, accuracy: correct / evalSet.length }));
  await engine.release();
}
