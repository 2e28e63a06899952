/** Removes every occurrence of each special token. */
export function stripTokens(text: string, specialTokens: readonly string[]): string {
  for (const token of specialTokens) if (token) text = text.replaceAll(token, '');
  return text;
}

/**
 * OpenRLHF's remote reward model (`--remote_rm_url`) posts `{query, prompts, labels}` where
 * each query is the decoded prompt + response, often with special tokens left in. The
 * completion is what follows the prompt, with those tokens removed. The prompt is matched
 * as sent first, then with special tokens removed from both (a BOS/pad in one of them
 * only); a query that does not start with its prompt is scored whole.
 */
export function extractCompletion(
  query: string,
  prompt: string | undefined,
  specialTokens: readonly string[],
): string {
  if (prompt && query.startsWith(prompt))
    return stripTokens(query.slice(prompt.length), specialTokens).trim();
  const q = stripTokens(query, specialTokens);
  const p = prompt ? stripTokens(prompt, specialTokens) : '';
  return (p && q.startsWith(p) ? q.slice(p.length) : q).trim();
}
