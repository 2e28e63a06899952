/** One Server-Sent Event: its `event` name (default `message`), `data` joined by newlines, and `id`. */
export interface SseEvent {
  event: string;
  data: string;
  id?: string;
}

/**
 * An incremental Server-Sent Events parser (WHATWG HTML §9.2.6): feed it text chunks as they
 * arrive; it returns the events completed so far and keeps a partial one buffered. Comment
 * lines (heartbeats) are skipped.
 */
export class SseParser {
  private buffer = '';

  push(chunk: string): SseEvent[] {
    this.buffer += chunk.replace(/\r\n?/g, '\n');
    const out: SseEvent[] = [];
    for (;;) {
      const end = this.buffer.indexOf('\n\n');
      if (end < 0) break;
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      let event = 'message';
      let id: string | undefined;
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line === '' || line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        let value = colon < 0 ? '' : line.slice(colon + 1);
        if (value.startsWith(' ')) value = value.slice(1);
        if (field === 'event') event = value;
        else if (field === 'data') data.push(value);
        else if (field === 'id') id = value;
      }
      if (data.length) out.push({ event, data: data.join('\n'), ...(id !== undefined ? { id } : {}) });
    }
    return out;
  }
}

/** Reads an SSE response body to its end, calling `onEvent` for each event; resolves when the stream closes. */
export async function readSse(
  body: ReadableStream<Uint8Array>,
  onEvent: (e: SseEvent) => boolean | undefined,
): Promise<void> {
  const parser = new SseParser();
  const decoder = new TextDecoder();
  const reader = body.getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      for (const e of parser.push(decoder.decode(value, { stream: true }))) {
        if (onEvent(e) === false) return;
      }
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
}
