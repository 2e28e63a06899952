import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Type } from '@sinclair/typebox';
import { RewardRegistry, RewardSpecError } from '../src/index.js';

const constant = {
  name: 'constant',
  description: 'Always returns `value`.',
  params: Type.Object({ value: Type.Number({ default: 1 }) }),
  kind: 'cpu' as const,
  score: (_item: unknown, p: { value: number }) => ({ score: p.value, status: 'ok' as const }),
};

test('resolving a spec fills defaults and weight', () => {
  const reg = new RewardRegistry().register(constant);
  const [r] = reg.resolve([{ name: 'constant' }]);
  assert.equal(r?.weight, 1);
  assert.deepEqual(r?.params, { value: 1 });
});

test('an unknown name is rejected with the field and the valid names', () => {
  const reg = new RewardRegistry().register(constant);
  assert.throws(
    () => reg.resolve([{ name: 'constant' }, { name: 'nope' }]),
    (e: unknown) =>
      e instanceof RewardSpecError &&
      e.code === 'GRPO_REWARD_UNKNOWN_FN' &&
      e.field === 'rewards[1].name' &&
      e.message.includes('valid names: constant'),
  );
});

test('registering a name twice is rejected', () => {
  const reg = new RewardRegistry().register(constant);
  assert.throws(() => reg.register(constant), /already registered/);
});

test('params of the wrong type are rejected naming the param', () => {
  const reg = new RewardRegistry().register(constant);
  assert.throws(
    () => reg.resolve([{ name: 'constant', params: { value: 'x' } }]),
    (e: unknown) => e instanceof RewardSpecError && e.field === 'rewards[0].params.value',
  );
});

test('a function validate hook runs at resolve time and its field is given the spec path', () => {
  const bounded = {
    ...constant,
    name: 'bounded',
    validate: (p: { value: number }) => {
      if (p.value > 10)
        throw new RewardSpecError('GRPO_REWARD_BAD_PARAMS', 'params.value', 'value must be <= 10');
    },
  };
  const reg = new RewardRegistry().register(constant).register(bounded);
  assert.equal(reg.resolve([{ name: 'bounded', params: { value: 3 } }]).length, 1);
  assert.throws(
    () => reg.resolve([{ name: 'constant' }, { name: 'bounded', params: { value: 11 } }]),
    (e: unknown) =>
      e instanceof RewardSpecError &&
      e.field === 'rewards[1].params.value' &&
      e.message.includes('value must be <= 10'),
  );
});
