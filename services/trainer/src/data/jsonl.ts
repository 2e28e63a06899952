import fs from 'node:fs';
import type { Example } from './example.js';

export class DatasetError extends Error {
  readonly code = 'GRPO_TRAINER_BAD_DATASET';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'DatasetError';
  }
}

/** Extracts the final answer of a GSM8K worked solution (the text after `####`, commas removed). */
export function gsm8kAnswer(solution: string): string | null {
  const m = solution.match(/####\s*([^\n]+)\s*$/);
  return m ? (m[1] as string).trim().replace(/,/g, '') : null;
}

/**
 * Parses a JSONL prompt set. Each line is an object with `prompt` (or `question`) and `answer`
 * (or `reference`, or a GSM8K-style `answer` ending in `#### n`), optional `id`, `completion`,
 * `language`. Errors name the file and line.
 */
export function parseJsonl(text: string, source = 'dataset'): Example[] {
  const out: Example[] = [];
  const lines = text.split('\n');
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (!line) return;
    const where = `${source}:${i + 1}`;
    let row: Record<string, unknown>;
    try {
      row = JSON.parse(line);
    } catch {
      // The parser's message quotes the line; a dataset error must never echo file contents.
      throw new DatasetError(where, `${where}: not valid JSON`);
    }
    if (typeof row !== 'object' || row === null || Array.isArray(row)) {
      throw new DatasetError(where, `${where}: each line must be a JSON object`);
    }
    const prompt = row.prompt ?? row.question;
    if (typeof prompt !== 'string' || !prompt) {
      throw new DatasetError(
        `${where}.prompt`,
        `${where}: needs a non-empty string "prompt" (or "question")`,
      );
    }
    const rawAnswer = row.reference ?? row.answer;
    if (typeof rawAnswer !== 'string' && typeof rawAnswer !== 'number') {
      throw new DatasetError(`${where}.answer`, `${where}: needs a string "answer" (or "reference")`);
    }
    const text = String(rawAnswer);
    const answer = text.includes('####') ? (gsm8kAnswer(text) ?? text) : text;
    const id = typeof row.id === 'string' ? row.id : `${source}-${i + 1}`;
    const ex: Example = { id, prompt, answer };
    if (typeof row.completion === 'string') ex.completion = row.completion;
    if (typeof row.language === 'string') ex.language = row.language;
    out.push(ex);
  });
  return out;
}

export function loadJsonl(path: string): Example[] {
  return parseJsonl(fs.readFileSync(path, 'utf8'), path);
}
