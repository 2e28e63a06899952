import fs from 'node:fs/promises';
import path from 'node:path';
import type { AlgorithmConfig } from '@grpo/grpo';
import {
  loadCritic,
  type ModelConfig,
  readSafetensors,
  saveCritic,
  type TensorMap,
  writeSafetensors,
} from '@grpo/model';
import {
  type AlgorithmSpec,
  type AlgorithmStepper,
  loadPolicyTrainerState,
  policyTrainerState,
  TRAINER_SESSION,
  type TrainStepResult,
} from '../run/step.js';
import type { PpoStepMetrics } from './ppo-metrics.js';
import { PpoStep } from './ppo-step.js';
import { toGroupBatch } from './stepper.js';

/** The critic's folder inside a checkpoint (an HF folder beside the policy's weights). */
export const CRITIC_DIR = 'critic';
const CRITIC_OPTIMIZER = 'optimizer.safetensors';
const CRITIC_STATE = 'critic_state.json';

export interface PpoStepperResult extends TrainStepResult {
  metrics: PpoStepMetrics;
}

/**
 * The run loop's stepper for the presets with a critic. A checkpoint holds the critic as
 * `critic/` (config.json + model.safetensors, `<Family>ForTokenClassification`), its AdamW
 * moments (`critic/optimizer.safetensors`) and `critic/critic_state.json` (its step counter
 * and the PPO steps taken, which the warm-up counts), so a resumed stage repeats no step.
 */
export async function createPpoStepper(o: {
  config: ModelConfig;
  tensors: TensorMap;
  reference: TensorMap;
  algorithm: AlgorithmSpec;
  parsed: Readonly<AlgorithmConfig>;
}): Promise<AlgorithmStepper> {
  const init = o.parsed.critic?.init;
  const step = await PpoStep.create({
    config: o.config,
    tensors: o.tensors,
    reference: o.reference,
    algorithm: o.parsed,
    session: TRAINER_SESSION,
    ...(init ? { critic: await loadCritic(path.resolve(init), o.config) } : {}),
  });
  return {
    async step(groups, lr, temperature): Promise<PpoStepperResult> {
      const { metrics: m } = await step.step(toGroupBatch(groups), { lr, temperature });
      return {
        loss: m.loss,
        gradNorm: m.grad_norm,
        kl: step.algorithm.kl.mode === 'none' ? null : m.kl,
        entropy: m.critic_warmup ? null : m.entropy,
        clipFraction: m.critic_warmup ? null : m.clip_fraction,
        tokens: groups.reduce(
          (a, g) => a + g.samples.reduce((b, s) => b + s.promptIds.length + s.completionIds.length, 0),
          0,
        ),
        critic: {
          valueLoss: m.value_loss,
          valueClipFraction: m.value_clip_fraction,
          explainedVariance: m.explained_variance,
          valueMean: m.value_mean,
          returnMean: m.return_mean,
          advantageMean: m.advantage_mean,
          advantageStd: m.advantage_std,
          criticWarmup: m.critic_warmup === 1,
        },
        metrics: m,
      };
    },
    tensors: () => step.tensors(),
    optimizerState: () => policyTrainerState(step.policyTrainer),
    loadOptimizerState: (s) => loadPolicyTrainerState(step.policyTrainer, s),
    async saveState(dir) {
      const d = path.join(dir, CRITIC_DIR);
      await saveCritic(d, step.critic.config, step.critic.tensors());
      const s = step.critic.optimizerState();
      await writeSafetensors(path.join(d, CRITIC_OPTIMIZER), s.tensors);
      await fs.writeFile(
        path.join(d, CRITIC_STATE),
        `${JSON.stringify({ stepCount: s.stepCount, ppoSteps: step.steps })}\n`,
      );
    },
    async loadState(dir) {
      const d = path.join(dir, CRITIC_DIR);
      const { tensors } = await loadCritic(d, o.config);
      step.critic.setTensors(tensors);
      const meta = JSON.parse(await fs.readFile(path.join(d, CRITIC_STATE), 'utf8')) as {
        stepCount: number;
        ppoSteps: number;
      };
      step.critic.loadOptimizerState({
        stepCount: meta.stepCount,
        tensors: await readSafetensors(path.join(d, CRITIC_OPTIMIZER)),
      });
      step.steps = meta.ppoSteps;
    },
    release: () => step.release(),
  };
}
