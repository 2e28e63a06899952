import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Type } from '@sinclair/typebox';
import { ConfigError, envVarName, KitConfig, loadConfig } from '../src/index.js';

const Schema = Type.Composite([
  KitConfig,
  Type.Object({
    workers: Type.Integer({ minimum: 1, default: 2 }),
    specialTokens: Type.Array(Type.String(), { default: ['</s>'] }),
  }),
]);

test('env var names are the prefix plus the key in upper snake case', () => {
  assert.equal(envVarName('GRPO_REWARD_', 'maxEventLoopDelayMs'), 'GRPO_REWARD_MAX_EVENT_LOOP_DELAY_MS');
});

test('defaults fill every key and the result is frozen', () => {
  const c = loadConfig(Schema, { prefix: 'X_', env: {} });
  assert.equal(c.port, 8000);
  assert.equal(c.workers, 2);
  assert.deepEqual(c.specialTokens, ['</s>']);
  assert.ok(Object.isFrozen(c));
  assert.ok(Object.isFrozen(c.specialTokens));
});

test('env vars are converted to the schema type and overrides win over them', () => {
  const c = loadConfig(Schema, {
    prefix: 'X_',
    env: { X_PORT: '9001', X_WORKERS: '3', X_SPECIAL_TOKENS: '["<|im_end|>"]' },
    overrides: { workers: 5 },
  });
  assert.equal(c.port, 9001);
  assert.equal(c.workers, 5);
  assert.deepEqual(c.specialTokens, ['<|im_end|>']);
});

test('an invalid env value is rejected naming the key and the env var', () => {
  assert.throws(
    () => loadConfig(Schema, { prefix: 'X_', env: { X_PORT: 'eighty' } }),
    (e: unknown) =>
      e instanceof ConfigError && e.field === 'port' && e.envVar === 'X_PORT' && /X_PORT/.test(e.message),
  );
});

test('a value out of range is rejected', () => {
  assert.throws(() => loadConfig(Schema, { prefix: 'X_', env: {}, overrides: { workers: 0 } }), /workers/);
});

test('an unknown override key is rejected', () => {
  assert.throws(
    () => loadConfig(Schema, { prefix: 'X_', env: {}, overrides: { wrokers: 1 } }),
    (e: unknown) => e instanceof ConfigError && e.field === 'wrokers',
  );
});
