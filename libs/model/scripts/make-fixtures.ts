/**
 * Regenerates libs/model/test/fixtures: one tiny Hugging Face folder per family and
 * `<name>.expected.json` with the reference logits (seqLen, vocab) for FIXTURE_PROMPT and the
 * greedy continuation. Run from the repository root:
 *   node --conditions=source --import tsx libs/model/scripts/make-fixtures.ts
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { createRng, createTinyPolicy, ReferenceModel, sampleToken } from '../src/index.js';
import { FIXTURE_GREEDY_TOKENS, FIXTURE_PROMPT, FIXTURE_SPECS } from './fixture-specs.js';

const here = path.dirname(new URL(import.meta.url).pathname);
const out = path.join(here, '..', 'test', 'fixtures');

for (const [name, spec] of Object.entries(FIXTURE_SPECS)) {
  const dir = path.join(out, name);
  await fs.rm(dir, { recursive: true, force: true });
  const policy = await createTinyPolicy({ ...spec, dir });
  const model = new ReferenceModel(policy.config, policy.weights);
  const inputIds = policy.tokenizer.encode(FIXTURE_PROMPT);
  const logits = model.forward(inputIds);
  const v = policy.config.vocabSize;
  const rows: number[][] = [];
  for (let t = 0; t < inputIds.length; t++)
    rows.push(Array.from(logits.subarray(t * v, (t + 1) * v), (x) => Number(x.toPrecision(8))));
  const cache = model.createCache();
  let last = model.step(cache, inputIds).subarray((inputIds.length - 1) * v);
  const greedy: number[] = [];
  const rng = createRng(0);
  for (let i = 0; i < FIXTURE_GREEDY_TOKENS; i++) {
    const { tokenId } = sampleToken(last, { temperature: 0 }, rng);
    greedy.push(tokenId);
    last = model.step(cache, [tokenId]);
  }
  const expected = {
    name,
    family: policy.config.family,
    prompt: FIXTURE_PROMPT,
    inputIds,
    vocabSize: v,
    greedyTokens: greedy,
    logits: rows,
  };
  await fs.writeFile(path.join(out, `${name}.expected.json`), `${JSON.stringify(expected)}\n`);
  console.log(`${name}: ${inputIds.length} tokens, vocab ${v}, greedy ${JSON.stringify(greedy)}`);
}
