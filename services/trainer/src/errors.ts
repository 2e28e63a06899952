import { FieldError } from '@grpo/service-kit';

export const RUN_NOT_FOUND = 'GRPO_TRAINER_RUN_NOT_FOUND';
export const RUN_ACTIVE = 'GRPO_TRAINER_RUN_ACTIVE';
export const BAD_RUN_CONFIG = 'GRPO_TRAINER_BAD_CONFIG';
export const NO_CHECKPOINT = 'GRPO_TRAINER_NO_CHECKPOINT';
export const SERVICE_FAILED = 'GRPO_TRAINER_SERVICE_FAILED';
export const TOO_MANY_STREAMS = 'GRPO_TRAINER_TOO_MANY_STREAMS';
export const RUN_FAILED = 'GRPO_TRAINER_RUN_FAILED';
/** The runs disk filled up (ENOSPC/EDQUOT); the run stopped at its last complete checkpoint. */
export const DISK_FULL = 'GRPO_TRAINER_DISK_FULL';
/** Checkpoints exist but none of them loads (truncated or corrupt files). */
export const CHECKPOINT_CORRUPT = 'GRPO_TRAINER_CHECKPOINT_CORRUPT';
/** rolloutUrl or rewardUrl names an origin outside the trainer's serviceOrigins (403). */
export const SERVICE_URL_NOT_ALLOWED = 'GRPO_TRAINER_SERVICE_URL_NOT_ALLOWED';
/** An eval stage scored below its `minAccuracy` gate; the run ends failed before the next stage. */
export const EVAL_GATE = 'GRPO_TRAINER_EVAL_GATE';

/** A run-level error: a code, the config field to blame (when one is), and the HTTP status it maps to. */
export class TrainerError extends FieldError {
  constructor(code: string, field: string, message: string, statusCode = 400) {
    super(code, statusCode, field, message);
    this.name = 'TrainerError';
  }
}

export function runNotFound(id: string): TrainerError {
  return new TrainerError(RUN_NOT_FOUND, 'id', `no run with id "${id}"`, 404);
}
