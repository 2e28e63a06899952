import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ALGORITHM_PRESETS,
  AlgorithmConfigError,
  klPerToken,
  klShapedRewards,
  lossConfigOf,
  parseAlgorithmConfig,
  presetNames,
  valueLossConfigOf,
} from '../src/index.js';

test('every preset parses and yields a valid loss config', () => {
  for (const name of presetNames) {
    const cfg = parseAlgorithmConfig({ preset: name });
    assert.deepEqual(cfg, ALGORITHM_PRESETS[name], name);
    assert.ok(Object.isFrozen(cfg) && Object.isFrozen(cfg.loss), `${name} is frozen`);
  }
});

test('the presets follow their papers', () => {
  const grpo = parseAlgorithmConfig();
  assert.equal(grpo.advantage.estimator, 'grpo');
  assert.equal(grpo.loss.aggregation, 'seq-mean-token-mean');
  assert.deepEqual(grpo.kl, { mode: 'loss', coef: 0.04, estimator: 'k3' });
  const dapo = parseAlgorithmConfig({ preset: 'dapo' });
  assert.equal(dapo.loss.epsLow, 0.2);
  assert.equal(dapo.loss.epsHigh, 0.28);
  assert.equal(dapo.loss.aggregation, 'token-mean');
  assert.ok(dapo.dynamicSampling.enabled && dapo.overlong.enabled);
  assert.equal(dapo.kl.mode, 'none');
  assert.equal(parseAlgorithmConfig({ preset: 'dr_grpo' }).loss.aggregation, 'seq-mean-token-sum-norm');
  assert.equal(parseAlgorithmConfig({ preset: 'dr_grpo' }).advantage.stdScope, 'none');
  assert.equal(parseAlgorithmConfig({ preset: 'gspo' }).loss.ratio, 'sequence');
  assert.equal(parseAlgorithmConfig({ preset: 'rloo' }).kl.mode, 'reward');
  assert.equal(parseAlgorithmConfig({ preset: 'reinforce_pp' }).advantage.estimator, 'reinforce_pp');
  const ppo = parseAlgorithmConfig({ preset: 'ppo' });
  assert.equal(ppo.advantage.estimator, 'gae');
  assert.deepEqual(ppo.gae, { gamma: 1, lambda: 0.95, whiten: true });
  assert.deepEqual(ppo.kl, { mode: 'reward', coef: 0.01, estimator: 'k1' });
  assert.equal(ppo.critic?.clipValue, 0.2);
  const orz = parseAlgorithmConfig({ preset: 'ppo_orz' });
  assert.deepEqual([orz.gae?.gamma, orz.gae?.lambda, orz.kl.mode], [1, 1, 'none']);
  // Group presets carry no critic.
  assert.equal(grpo.critic, undefined);
  assert.equal(grpo.gae, undefined);
});

test('the critic section takes overrides field by field and gives the value-loss config', () => {
  const cfg = parseAlgorithmConfig({
    preset: 'ppo_orz',
    critic: { warmupSteps: 3, lr: 1e-4, clipValue: null },
  });
  assert.equal(cfg.critic?.warmupSteps, 3);
  assert.equal(cfg.critic?.lr, 1e-4);
  assert.equal(cfg.critic?.valueCoef, 1);
  assert.deepEqual(valueLossConfigOf(cfg), {
    clipValue: null,
    coef: 1,
    aggregation: 'token-mean',
    normLength: 1024,
  });
  assert.equal(valueLossConfigOf(parseAlgorithmConfig()), null);
});

test('overrides replace single fields of a section and keep the rest of the preset', () => {
  const cfg = parseAlgorithmConfig({
    preset: 'dapo',
    loss: { epsHigh: 0.3 },
    kl: { mode: 'loss', coef: 0.01 },
  });
  assert.equal(cfg.loss.epsHigh, 0.3);
  assert.equal(cfg.loss.epsLow, 0.2);
  assert.equal(cfg.kl.estimator, 'k3');
  assert.equal(lossConfigOf(cfg).klCoef, 0.01);
});

test('the KL coefficient reaches the loss only in loss mode', () => {
  assert.equal(lossConfigOf(parseAlgorithmConfig({ kl: { mode: 'reward' } })).klCoef, 0);
  assert.equal(lossConfigOf(parseAlgorithmConfig({ kl: { mode: 'none' } })).klCoef, 0);
  assert.equal(lossConfigOf(parseAlgorithmConfig()).klCoef, 0.04);
});

test('bad configs name the field', () => {
  const cases: [Record<string, unknown>, string][] = [
    [{ preset: 'ppo2' }, 'preset'],
    [{ loss: { epsLow: 1.5 } }, 'loss.epsLow'],
    [{ loss: { aggregation: 'sum' } }, 'loss.aggregation'],
    [{ kl: { mode: 'both' } }, 'kl.mode'],
    [{ advantage: { estimator: 'gae' } }, 'advantage.estimator'],
    [{ overlong: { maxLength: 100, cacheLength: 200 } }, 'overlong.cacheLength'],
    [{ updates: { epochs: 0 } }, 'updates.epochs'],
    [{ loss: { typo: 1 } }, 'loss.typo'],
    [{ optimiser: {} }, 'optimiser'],
    [{ critic: { lr: 1e-3 } }, 'critic'],
    [{ gae: { lambda: 1 } }, 'gae'],
    [{ preset: 'ppo', advantage: { estimator: 'grpo' } }, 'advantage.estimator'],
    [{ preset: 'ppo', gae: { lambda: 1.5 } }, 'gae.lambda'],
    [{ preset: 'ppo', gae: { gamma: -0.1 } }, 'gae.gamma'],
    [{ preset: 'ppo_orz', critic: { clipValue: 0 } }, 'critic.clipValue'],
    [{ preset: 'ppo_orz', critic: { warmupSteps: -1 } }, 'critic.warmupSteps'],
    [{ preset: 'ppo_orz', critic: { lr: 0 } }, 'critic.lr'],
    [{ preset: 'ppo_orz', critic: { valueCoef: 0 } }, 'critic.valueCoef'],
    [{ preset: 'ppo_orz', critic: { aggregation: 'sum' } }, 'critic.aggregation'],
    [{ preset: 'ppo_orz', critic: { typo: 1 } }, 'critic.typo'],
  ];
  for (const [input, field] of cases) {
    assert.throws(
      () => parseAlgorithmConfig(input as never),
      (e: unknown) =>
        e instanceof AlgorithmConfigError && e.code === 'GRPO_BAD_ALGORITHM_CONFIG' && e.field === field,
      `${JSON.stringify(input)} should blame ${field}`,
    );
  }
});

test('KL in the reward subtracts coef times the summed per-token KL of each completion', () => {
  const logp = [[[-1, -2], [-0.5]], [[]]];
  const ref = [[[-1.5, -1], [-0.5]], [[]]];
  const { rewards, kl } = klShapedRewards([[1, 0], [2]], logp, ref, 0.1, 'k3');
  const k0 = klPerToken('k3', -1, -1.5) + klPerToken('k3', -2, -1);
  assert.ok(Math.abs(kl[0]![0]! - k0) < 1e-15);
  assert.equal(kl[0]![1], 0);
  assert.equal(kl[1]![0], 0);
  assert.ok(Math.abs(rewards[0]![0]! - (1 - 0.1 * k0)) < 1e-15);
  assert.deepEqual(rewards[1], [2]);
  assert.throws(() => klShapedRewards([[1]], [[[-1]]], [[[]]], 0.1, 'k1'), /same length/);
});
