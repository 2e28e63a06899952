import { RewardSpecError } from '@grpo/rewards';
import { FieldError } from '@grpo/service-kit';

export const TOO_MANY_ITEMS = 'GRPO_REWARD_TOO_MANY_ITEMS';
export const LENGTH_MISMATCH = 'GRPO_REWARD_LENGTH_MISMATCH';
export const NO_DEFAULT_SPEC = 'GRPO_REWARD_NO_DEFAULT_SPEC';
export const DUPLICATE_ID = 'GRPO_REWARD_DUPLICATE_ID';
export const TOO_MANY_CHARS = 'GRPO_REWARD_TOO_MANY_CHARS';

export function tooManyItems(field: string, count: number, max: number): FieldError {
  return new FieldError(
    TOO_MANY_ITEMS,
    400,
    field,
    `${field} has ${count} entries; the limit is ${max} (maxItems)`,
  );
}

/** Characters a reference adds: a string's length, or an object's JSON length (code tests). */
export function referenceChars(reference: unknown): number {
  if (reference === undefined || reference === null) return 0;
  return typeof reference === 'string' ? reference.length : JSON.stringify(reference).length;
}

/** 413 when `chars` (summed over the request's texts) is over `max` (maxRequestChars). */
export function checkRequestChars(field: string, chars: number, max: number): void {
  if (chars > max) {
    throw new FieldError(
      TOO_MANY_CHARS,
      413,
      field,
      `${field} hold ${chars} characters in all (prompts, completions and references); the limit is ${max} (maxRequestChars); split the batch`,
    );
  }
}

/** A bad reward spec is the caller's fault: 400 with the field and, for names, the valid ones. */
export async function specErrorsAs400<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    if (err instanceof RewardSpecError) throw new FieldError(err.code, 400, err.field, err.message);
    throw err;
  }
}
