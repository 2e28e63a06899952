import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTinyPolicy, type Policy, PolicyTrainer, savePolicy, sftLoss } from '@grpo/model';

/** One memorised trace: a prompt and its completion segments (`model` sampled, `tool` inserted). */
export interface Trace {
  prompt: string;
  segments: { model?: string; tool?: string }[];
}

const fence = (code: string) => `\`\`\`javascript\n${code}\n\`\`\``;
const out = (text: string) => `\n\`\`\`output\n${text}\n\`\`\`\n`;

/**
 * Traces in the markdown format whose tool segments are exactly what the rollout service
 * inserts for the program (so a greedy policy that memorised them calls the tool, reads the
 * output and answers). One per termination the contract tests need.
 */
export const TRACES: Trace[] = [
  {
    prompt: 'A:',
    segments: [{ model: fence('console.log(6*7)') }, { tool: out('42') }, { model: '<answer>42</answer>' }],
  },
  {
    prompt: 'T:',
    segments: [{ model: fence('while(true){}') }, { tool: out('x') }, { model: '<answer>1</answer>' }],
  },
  {
    prompt: 'M:',
    segments: [
      { model: fence('const a=[];for(;;)a.push(new Array(1e6).fill(7))') },
      { tool: out('x') },
      { model: '<answer>2</answer>' },
    ],
  },
  {
    prompt: 'O:',
    segments: [
      { model: fence("console.log('ab'.repeat(400))") },
      { tool: out('x') },
      { model: '<answer>3</answer>' },
    ],
  },
  {
    prompt: 'C:',
    segments: [
      { model: fence('console.log(2+3)') },
      { tool: out('5') },
      { model: fence('console.log(5*5)') },
      { tool: out('25') },
      { model: '<answer>25</answer>' },
    ],
  },
  { prompt: 'N:', segments: [{ model: 'no code here' }] },
  // Python (libs/sandbox's CPython): the same markdown format with a python fence.
  {
    prompt: 'P:',
    segments: [
      { model: '```python\nprint(6*7)\n```' },
      { tool: out('42') },
      { model: '<answer>42</answer>' },
    ],
  },
  // Hermes: the call ends the assistant turn (EOS), the output comes back as a ChatML tool message.
  {
    prompt: 'H:',
    segments: [
      {
        model:
          '<tool_call>{"name": "javascript", "arguments": {"code": "console.log(6*7)"}}</tool_call><|im_end|>',
      },
      { tool: '\n<|im_start|>tool\n42<|im_end|>\n<|im_start|>assistant\n' },
      { model: '<answer>42</answer>' },
    ],
  },
];

/** Token ids and loss mask of a trace's completion (the EOS id closes it). */
export function encodeTrace(
  policy: Policy,
  t: Trace,
): { promptIds: number[]; ids: number[]; mask: number[] } {
  const tok = policy.tokenizer;
  const ids: number[] = [];
  const mask: number[] = [];
  for (const s of t.segments) {
    const seg = tok.encode(s.model ?? s.tool ?? '');
    ids.push(...seg);
    mask.push(...seg.map(() => (s.model !== undefined ? 1 : 0)));
  }
  ids.push(policy.config.eosTokenIds[0]!);
  mask.push(1);
  return { promptIds: tok.encode(t.prompt), ids, mask };
}

/**
 * A tiny policy that memorised TRACES by SFT with the tool tokens masked out (so it also
 * exercises SFT on tool traces), saved over its folder. Greedy decoding reproduces each trace's
 * model segments. About 300 steps of a 1-layer, 48-wide model.
 */
export async function toolPolicy(cleanup: (fn: () => Promise<void>) => void, steps = 300): Promise<Policy> {
  const tmp = await mkdtemp(path.join(tmpdir(), 'grpo-tool-policy-'));
  cleanup(() => rm(tmp, { recursive: true, force: true }));
  const dir = path.join(tmp, 'tiny-tools');
  const policy = await createTinyPolicy({ dir, seed: 5, hiddenSize: 48, layers: 1, heads: 2, kvHeads: 1 });
  const session = { intraOpNumThreads: 1, interOpNumThreads: 1 };
  const trainer = await PolicyTrainer.create({
    config: policy.config,
    tensors: policy.tensors,
    loss: sftLoss,
    session,
  });
  const sequences = TRACES.map((tr) => {
    const e = encodeTrace(policy, tr);
    return { ids: [...e.promptIds, ...e.ids], promptLength: e.promptIds.length, lossMask: e.mask };
  });
  for (let s = 0; s < steps; s++) await trainer.step({ sequences }, s < steps * 0.8 ? 1e-2 : 3e-3);
  const tensors = trainer.tensors();
  await trainer.release();
  await savePolicy(dir, { config: policy.config, tensors });
  return { ...policy, tensors };
}
