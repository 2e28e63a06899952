import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { FIXTURE_PROMPT, FIXTURE_SPECS } from '../scripts/fixture-specs.js';
import { createTinyPolicy, loadPolicy, ReferenceModel } from '../src/index.js';
import { fixturesDir, maxAbsDiff, tmpDir } from './helpers.js';

interface Expected {
  inputIds: number[];
  vocabSize: number;
  greedyTokens: number[];
  logits: number[][];
}

for (const name of Object.keys(FIXTURE_SPECS)) {
  test(`the committed ${name} checkpoint reproduces its recorded logits and greedy tokens`, async () => {
    const expected: Expected = JSON.parse(
      await fs.readFile(path.join(fixturesDir, `${name}.expected.json`), 'utf8'),
    );
    const p = await loadPolicy(path.join(fixturesDir, name));
    assert.deepEqual(p.tokenizer.encode(FIXTURE_PROMPT), expected.inputIds);
    const m = new ReferenceModel(p.config, p.weights);
    const logits = m.forward(expected.inputIds);
    assert.ok(maxAbsDiff(logits, expected.logits.flat()) < 1e-5);
    const cache = m.createCache();
    let last = m.step(cache, expected.inputIds).subarray((expected.inputIds.length - 1) * expected.vocabSize);
    for (const tok of expected.greedyTokens) {
      let best = 0;
      for (let i = 1; i < last.length; i++) if (last[i] > last[best]) best = i;
      assert.equal(best, tok);
      last = m.step(cache, [tok]);
    }
  });

  // Registered only once reference_logits.py has been run and its output committed (CI forbids skips).
  const torchPath = path.join(fixturesDir, `${name}.torch.json`);
  if (existsSync(torchPath)) {
    test(`the ${name} reference logits agree with PyTorch/transformers`, async () => {
      const torchOut: { inputIds: number[]; logits: number[][] } = JSON.parse(
        await fs.readFile(torchPath, 'utf8'),
      );
      const p = await loadPolicy(path.join(fixturesDir, name));
      const logits = new ReferenceModel(p.config, p.weights).forward(torchOut.inputIds);
      assert.ok(maxAbsDiff(logits, torchOut.logits.flat()) < 1e-4);
    });
  }

  test(`the ${name} fixture is exactly what the fixture script generates`, async (t) => {
    const dir = await tmpDir(t);
    await createTinyPolicy({ ...FIXTURE_SPECS[name], dir });
    for (const f of [
      'config.json',
      'model.safetensors',
      'tokenizer.json',
      'tokenizer_config.json',
      'generation_config.json',
    ]) {
      const a = await fs.readFile(path.join(dir, f));
      const b = await fs.readFile(path.join(fixturesDir, name, f));
      assert.ok(a.equals(b), `${f} differs; rerun libs/model/scripts/make-fixtures.ts`);
    }
  });
}
