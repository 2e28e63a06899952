/** One training or evaluation example: a prompt, its reference answer, and optionally a worked trace. */
export interface Example {
  id: string;
  prompt: string;
  /** The final answer, as the accuracy reward compares it. */
  answer: string;
  /** An R1-style completion (`<think>…</think>\n<answer>…</answer>`) for SFT stages. */
  completion?: string;
  /**
   * A tool-integrated trace for SFT instead of `completion`: model segments are trained on,
   * `tool: true` segments (tool output) are context with loss mask 0.
   */
  segments?: { text: string; tool?: boolean }[];
  /** Target language of the reasoning (`en`, `zh`). */
  language?: string;
}

/** Wraps reasoning and answer in the DeepSeek-R1 template that the `format` reward checks. */
export function r1Completion(reasoning: string, answer: string): string {
  return `<think>\n${reasoning}\n</think>\n<answer>\n${answer}\n</answer>`;
}
