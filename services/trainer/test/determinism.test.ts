import assert from 'node:assert/strict';
import path from 'node:path';
import { type TestContext, test } from 'node:test';
import type { MetricRow, RunStatus } from '@grpo/contracts';
import { buildTrainerServer, loadTrainerConfig } from '../src/index.js';
import { tempDir, waitForState } from './helpers.js';

/** An SFT-only run of the quick-start's model size on two intra-op threads; its loss per step. */
async function sftLosses(t: TestContext, name: string): Promise<number[]> {
  const dir = await tempDir(t);
  const config = loadTrainerConfig({ logLevel: 'silent', runsDir: dir }, {});
  const app = await buildTrainerServer({ config, logger: false, defaultMetrics: false });
  t.after(() => app.close());
  const res = await app.inject({
    method: 'POST',
    url: '/v1/runs',
    payload: {
      model: { tiny: { hiddenSize: 64, layers: 2, heads: 4, kvHeads: 2, seed: 1 } },
      data: {
        builtin: 'arithmetic',
        train: { count: 64, minDigits: 3, maxDigits: 3, ops: ['+'], zhFraction: 0.25, seed: 1 },
        eval: { count: 4, seed: 2 },
      },
      rewards: [{ name: 'accuracy' }],
      stages: [{ type: 'sft', steps: 12, lr: 3e-3, batch: 16 }],
      rolloutUrl: 'http://127.0.0.1:9',
      rewardUrl: 'http://127.0.0.1:9',
      runDir: path.join(dir, name),
    },
  });
  assert.equal(res.statusCode, 201, res.body);
  const { id } = res.json() as RunStatus;
  const done = await waitForState(app, id, ['completed', 'failed']);
  assert.equal(done.state, 'completed', JSON.stringify(done.error));
  const { rows } = (await app.inject({ method: 'GET', url: `/v1/runs/${id}/metrics` })).json() as {
    rows: MetricRow[];
  };
  return rows.map((r) => r.loss as number);
}

test('the same run config trains to bit-identical losses on a multi-threaded CPU', async (t) => {
  // Each batch repeats token ids many times; the embedding gradient must add them in a fixed
  // order (a threaded scatter-add made every run of the quick-start end somewhere else).
  const first = await sftLosses(t, 'a');
  assert.equal(first.length, 12);
  assert.ok(first[11]! < first[0]!, `loss falls: ${first[0]} -> ${first[11]}`);
  for (const name of ['b', 'c'])
    assert.deepEqual(await sftLosses(t, name), first, `run ${name} repeats run a`);
});
