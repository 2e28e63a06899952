import { parseAlgorithmConfig } from '@grpo/grpo';
import {
  type AlgorithmFactory,
  type AlgorithmStepper,
  algorithmConfigInput,
  type Group,
  loadPolicyTrainerState,
  policyTrainerState,
  TRAINER_SESSION,
  type TrainStepResult,
} from '../run/step.js';
import { GrpoStep } from './grpo-step.js';
import { createPpoStepper } from './ppo-stepper.js';
import type { GroupBatch, GrpoStepMetrics } from './types.js';

/** The run loop's result plus every metric of the step. */
export interface StepperResult extends TrainStepResult {
  metrics: GrpoStepMetrics;
}

/** Converts the run loop's groups to the algorithm's batch. */
export function toGroupBatch(groups: readonly Group[]): GroupBatch[] {
  return groups.map((g, gi) => {
    const first = g.samples[0];
    if (!first) throw new RangeError(`groups[${gi}].samples is empty`);
    return {
      promptIds: first.promptIds,
      completions: g.samples.map((s) => ({
        tokenIds: s.completionIds,
        logprobs: s.logprobs,
        rewardTotal: s.reward,
      })),
    };
  });
}

/**
 * The factory the run loop (`PolicyStepRunner`) plugs in: `algorithm.name` is a preset
 * (grpo, dr_grpo, dapo, gspo, rloo, reinforce_pp, ppo, ppo_orz) and `algorithm.overrides` its
 * per-section overrides. `reference` is the frozen KL reference (the weights the stage started
 * from, kept across resumes by the run loop). Presets with a critic run the PPO step.
 */
export const createAlgorithmStepper: AlgorithmFactory = async (o) => {
  const parsed = parseAlgorithmConfig(algorithmConfigInput(o.algorithm));
  if (parsed.critic) return createPpoStepper({ ...o, parsed });
  const step = await GrpoStep.create({
    config: o.config,
    tensors: o.tensors,
    reference: o.reference,
    algorithm: algorithmConfigInput(o.algorithm),
    session: TRAINER_SESSION,
  });
  const stepper: AlgorithmStepper = {
    async step(groups, lr, temperature): Promise<StepperResult> {
      const { metrics } = await step.step(toGroupBatch(groups), { lr, temperature });
      return {
        loss: metrics.loss,
        gradNorm: metrics.grad_norm,
        kl: step.algorithm.kl.mode === 'none' ? null : metrics.kl,
        entropy: metrics.entropy,
        clipFraction: metrics.clip_fraction,
        tokens: groups.reduce(
          (a, g) => a + g.samples.reduce((b, s) => b + s.promptIds.length + s.completionIds.length, 0),
          0,
        ),
        metrics,
      };
    },
    tensors: () => step.tensors(),
    optimizerState: () => policyTrainerState(step.policyTrainer),
    loadOptimizerState: (s) => loadPolicyTrainerState(step.policyTrainer, s),
    release: () => step.release(),
  };
  return stepper;
};
