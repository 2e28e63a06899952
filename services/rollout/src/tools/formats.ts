import type { ToolFormat, ToolName } from '@grpo/contracts';
import type { HfTokenizer } from '@grpo/model';

/** A complete tool call found in a turn's text. */
export interface ParsedCall {
  /** The tool the call names (null: it names one that is not enabled, or its JSON does not parse). */
  tool: ToolName | null;
  code: string;
  /** Why `tool` is null. */
  problem?: string;
}

/** How a format finds calls in the model's text and writes tool output back. */
export interface ToolFormatter {
  readonly name: ToolFormat;
  /** A call that is complete at the end of `text` (the turn so far); `eos`: the turn just sampled an EOS id. */
  detect(text: string, eos: boolean): ParsedCall | null;
  /** Text appended after the call for a result (the model continues after it). */
  render(result: string): string;
}

const ALIASES: Record<string, ToolName> = {
  javascript: 'javascript',
  js: 'javascript',
  python: 'python',
  py: 'python',
};

/** The code inside a ```` ```lang ```` fence if the text is one, else the text. */
function unfence(code: string): { code: string; lang: string | null } {
  const m = /^\s*```([A-Za-z]*)\n([\s\S]*?)\n?```\s*$/.exec(code);
  return m ? { code: m[2]!, lang: m[1] || null } : { code, lang: null };
}

function pick(names: readonly ToolName[], lang: string | null): ParsedCall['tool'] {
  if (lang === null) return names[0] ?? null;
  const t = ALIASES[lang.toLowerCase()];
  return t && names.includes(t) ? t : null;
}

/** ToRL's markdown: ```` ```python\n<code>\n``` ```` then ```` ```output\n<result>\n``` ````. */
function markdown(names: readonly ToolName[]): ToolFormatter {
  // A fence naming an enabled tool (or its alias), closed by a line of three backticks.
  const langs = Object.keys(ALIASES).filter((k) => names.includes(ALIASES[k]!));
  const re = new RegExp(`\`\`\`(${langs.join('|')})\\n([\\s\\S]*?)\\n\`\`\`$`);
  return {
    name: 'markdown',
    detect(text) {
      const m = re.exec(text);
      if (!m) return null;
      return { tool: pick(names, m[1]!), code: m[2]! };
    },
    render: (result) => `\n\`\`\`output\n${result}\n\`\`\`\n`,
  };
}

/** ReTool's `<code>...</code>` then `<interpreter>...</interpreter>` (the code may sit in a fence). */
function retool(names: readonly ToolName[]): ToolFormatter {
  return {
    name: 'retool',
    detect(text) {
      const end = text.endsWith('</code>') ? text.length - '</code>'.length : -1;
      if (end < 0) return null;
      const start = text.lastIndexOf('<code>', end);
      if (start < 0) return null;
      const inner = unfence(text.slice(start + '<code>'.length, end));
      const tool = pick(names, inner.lang);
      return tool
        ? { tool, code: inner.code }
        : { tool: null, code: inner.code, problem: `language ${inner.lang} is not an enabled tool` };
    },
    render: (result) => `<interpreter>\n${result}\n</interpreter>\n`,
  };
}

/**
 * Hermes function calling (Qwen2.5, NousResearch): the assistant turn holds
 * `<tool_call>{"name": ..., "arguments": {"code": ...}}</tool_call>` and ends with EOS; the
 * result is a `tool` message rendered by the chat template (`toolMessageTail`).
 */
function hermes(names: readonly ToolName[], tok: HfTokenizer): ToolFormatter {
  return {
    name: 'hermes',
    detect(text, eos) {
      if (!eos) return null;
      const m = /<tool_call>\s*([\s\S]*?)\s*<\/tool_call>\s*$/.exec(text);
      if (!m) return null;
      let call: unknown;
      try {
        call = JSON.parse(m[1]!);
      } catch {
        return { tool: null, code: '', problem: 'the tool call is not valid JSON' };
      }
      const c = call as { name?: unknown; arguments?: { code?: unknown } };
      const tool = typeof c.name === 'string' ? pick(names, c.name) : null;
      const code = typeof c.arguments?.code === 'string' ? c.arguments.code : null;
      if (!tool || code === null)
        return {
          tool: null,
          code: '',
          problem: `a call needs {"name": one of ${names.join(', ')}, "arguments": {"code": string}}`,
        };
      return { tool, code };
    },
    render: (result) => toolInsertText(tok, result),
  };
}

/**
 * The text a chat template writes after an assistant turn's EOS token for a `tool` message
 * holding `content`, up to the next assistant header: render(conversation + tool message,
 * with the generation prompt) minus render(conversation) and minus the EOS text the model
 * already sampled. Derived on a fixed probe conversation, so only the new message is
 * rendered; the contract test checks it against full renders of real conversations.
 */
export function toolMessageTail(tok: HfTokenizer, content: string): { afterEos: string; tail: string } {
  const probe = 'PROBE_ASSISTANT_CONTENT';
  const before = [
    { role: 'user', content: 'PROBE_USER' },
    { role: 'assistant', content: probe },
  ];
  const base = tok.applyChatTemplate(before, { addGenerationPrompt: false });
  const full = tok.applyChatTemplate([...before, { role: 'tool', content }], { addGenerationPrompt: true });
  if (!full.startsWith(base))
    throw new Error('the chat template re-renders earlier turns when a tool message follows');
  const at = base.lastIndexOf(probe);
  return { afterEos: base.slice(at + probe.length), tail: full.slice(base.length) };
}

/** What follows a sampled EOS for a tool message: the template's rest of the assistant turn, then the tool message and the next assistant header. */
export function toolInsertText(tok: HfTokenizer, content: string): string {
  const { afterEos, tail } = toolMessageTail(tok, content);
  const eos = tok.eosToken ?? '';
  if (!afterEos.startsWith(eos))
    throw new Error(`the chat template does not end an assistant turn with the EOS token ${eos}`);
  return afterEos.slice(eos.length) + tail;
}

/** Builds the formatter of a request. */
export function createFormatter(
  format: ToolFormat,
  names: readonly ToolName[],
  tok: HfTokenizer,
): ToolFormatter {
  if (format === 'markdown') return markdown(names);
  if (format === 'retool') return retool(names);
  return hermes(names, tok);
}
