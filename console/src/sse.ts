// Reads a text/event-stream body (event:, data:, comments) into events. Pure, so it can be tested in Node.

export interface ServerEvent {
  event: string;
  data: string;
}

export class EventParser {
  private buffer = '';
  private event = '';
  private data: string[] = [];

  /** Feeds a chunk of text; returns the events it completed. */
  push(chunk: string): ServerEvent[] {
    this.buffer += chunk;
    const done: ServerEvent[] = [];
    let eol: number;
    // Lines end with LF or CRLF (a lone CR, which the format also allows, is not used by this server).
    while ((eol = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, eol).replace(/\r$/, '');
      this.buffer = this.buffer.slice(eol + 1);
      if (line === '') {
        if (this.data.length > 0) done.push({ event: this.event || 'message', data: this.data.join('\n') });
        this.event = '';
        this.data = [];
        continue;
      }
      if (line.startsWith(':')) continue; // a comment (keep-alive)
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') this.event = value;
      else if (field === 'data') this.data.push(value);
    }
    return done;
  }
}

/** Reads a stream of bytes to its end (or until `signal` aborts), calling `onEvent` for each event. */
export async function readEvents(body: ReadableStream<Uint8Array>, onEvent: (event: ServerEvent) => void, signal?: AbortSignal): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const parser = new EventParser();
  const cancel = () => void reader.cancel().catch(() => {});
  signal?.addEventListener('abort', cancel);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      for (const event of parser.push(decoder.decode(value, { stream: true }))) onEvent(event);
    }
  } finally {
    signal?.removeEventListener('abort', cancel);
  }
}
