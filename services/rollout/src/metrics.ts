import type { KitApp } from '@grpo/service-kit';
import { Counter, Gauge, Histogram } from 'prom-client';
import type { EngineGroup, EngineResult, RolloutEngine } from './engine/types.js';

/**
 * Wraps an engine so every generate call is counted on the app's registry:
 * `grpo_rollout_groups_total`, `grpo_rollout_generated_tokens_total`,
 * `grpo_rollout_prompt_tokens_total`, `grpo_rollout_generate_seconds` and the gauge
 * `grpo_rollout_policy_version`.
 */
export function instrumentEngine(app: KitApp, engine: RolloutEngine): RolloutEngine {
  const registers = [app.metrics.registry];
  const groups = new Counter({ name: 'grpo_rollout_groups_total', help: 'Groups sampled.', registers });
  const generated = new Counter({
    name: 'grpo_rollout_generated_tokens_total',
    help: 'Tokens sampled.',
    registers,
  });
  const prompt = new Counter({
    name: 'grpo_rollout_prompt_tokens_total',
    help: 'Prompt tokens prefilled.',
    registers,
  });
  const seconds = new Histogram({
    name: 'grpo_rollout_generate_seconds',
    help: 'Time from queueing a request to its last completion.',
    buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300],
    registers,
  });
  new Gauge({
    name: 'grpo_rollout_policy_version',
    help: 'Version of the loaded policy.',
    registers,
    collect() {
      this.set(engine.policyInfo().version);
    },
  });
  return {
    kind: engine.kind,
    tokenizer: () => engine.tokenizer(),
    maxPositions: () => engine.maxPositions(),
    vocabSize: () => engine.vocabSize(),
    policyInfo: () => engine.policyInfo(),
    loadPolicy: (path) => engine.loadPolicy(path),
    close: () => engine.close(),
    async generate(gs: readonly EngineGroup[]): Promise<EngineResult> {
      const end = seconds.startTimer();
      const out = await engine.generate(gs);
      end();
      groups.inc(gs.length);
      generated.inc(out.generatedTokens);
      prompt.inc(out.promptTokens);
      return out;
    },
  };
}
