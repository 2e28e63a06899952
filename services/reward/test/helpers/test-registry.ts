import { type RewardFunction, type RewardItem, RewardRegistry } from '@grpo/rewards';
import { Type } from '@sinclair/typebox';

/** Small functions with known answers and known failure modes, for the service's tests. */
const contains: RewardFunction<{ text: string }> = {
  name: 'contains',
  description: 'ok (1) when the completion contains `text`, wrong (0) otherwise, unparseable when empty.',
  params: Type.Object({ text: Type.String({ default: '<answer>' }) }),
  kind: 'cpu',
  score: (item, p) => {
    if (item.completion === '') return { score: 0, status: 'unparseable', reason: 'empty' };
    return item.completion.includes(p.text) ? { score: 1, status: 'ok' } : { score: 0, status: 'wrong' };
  },
};

const matchesReference: RewardFunction = {
  name: 'matches_reference',
  description:
    'ok when the completion equals the reference (a string or {answer}); not_applicable without one.',
  params: Type.Object({}),
  kind: 'cpu',
  score: (item: RewardItem) => {
    const ref = typeof item.reference === 'string' ? item.reference : item.reference?.answer;
    if (ref === undefined) return { score: 0, status: 'not_applicable', reason: 'no_reference' };
    return item.completion === ref
      ? { score: 1, status: 'ok', details: { answer: ref } }
      : { score: 0, status: 'wrong', details: { answer: ref } };
  },
};

const hazard: RewardFunction = {
  name: 'hazard',
  description: 'Spins forever on HANG, throws on THROW, returns NaN on NAN, else ok 0.5.',
  params: Type.Object({}),
  kind: 'cpu',
  score: (item: RewardItem) => {
    if (item.completion.includes('HANG')) {
      for (;;) {
        // A synchronous hang: only terminating the worker stops it.
      }
    }
    if (item.completion.includes('THROW')) throw new RangeError('bad item');
    if (item.completion.includes('NAN')) return { score: Number.NaN, status: 'ok' };
    return { score: 0.5, status: 'ok' };
  },
};

const remote: RewardFunction<{ delayMs: number }> = {
  name: 'remote',
  description: 'Async: ok after delayMs; never settles on NEVER; rejects on REJECT.',
  params: Type.Object({ delayMs: Type.Integer({ minimum: 0, default: 1 }) }),
  kind: 'async',
  score: async (item, p) => {
    if (item.completion.includes('NEVER')) return new Promise(() => {});
    await new Promise((r) => setTimeout(r, p.delayMs));
    if (item.completion.includes('REJECT')) throw new Error('upstream down');
    return { score: 2, status: 'ok' };
  },
};

export function createRegistry(): RewardRegistry {
  return new RewardRegistry().register(contains).register(matchesReference).register(hazard).register(remote);
}
