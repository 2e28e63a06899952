import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the proxy does to the next matching requests. */
export type Fault =
  | { kind: 'status'; status: number; count: number }
  | { kind: 'stall'; ms: number; count: number }
  | { kind: 'malformed'; count: number };

export interface ProxiedRequest {
  method: string;
  path: string;
}

/**
 * An HTTP proxy between the trainer and one service, on 127.0.0.1: forwards every request
 * (headers, API key included) to `target`, which the chaos script moves when it restarts the
 * service. `inject` makes the next `count` requests matching `route` fail a chosen way;
 * `onRequest` lets the script act when a request arrives (e.g. kill a process mid-call).
 */
export class FaultProxy {
  private server: http.Server;
  private faults: { route: string; fault: Fault }[] = [];
  /** Called when a request arrives, before it is forwarded. */
  onRequest: ((r: ProxiedRequest) => void) | null = null;
  /** Requests whose fault was applied, by kind. */
  readonly applied: Record<string, number> = {};
  url = '';

  constructor(public target: string) {
    this.server = http.createServer((req, res) => void this.handle(req, res));
  }

  async listen(): Promise<string> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  inject(route: string, fault: Fault): void {
    this.faults.push({ route, fault: { ...fault } });
  }

  clear(): void {
    this.faults = [];
    this.onRequest = null;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((r) => this.server.close(r));
  }

  private take(route: string): Fault | null {
    const f = this.faults.find((x) => x.route === route && x.fault.count > 0);
    if (!f) return null;
    f.fault.count--;
    this.applied[f.fault.kind] = (this.applied[f.fault.kind] ?? 0) + 1;
    return f.fault;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const route = `${req.method} ${req.url}`;
    this.onRequest?.({ method: req.method ?? '', path: req.url ?? '' });
    const fault = this.take(route);
    if (fault?.kind === 'status') {
      res.writeHead(fault.status, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          error: { code: 'CHAOS_INJECTED', message: `injected ${fault.status}`, statusCode: fault.status },
        }),
      );
      return;
    }
    if (fault?.kind === 'stall') {
      // Hold the request past the caller's timeout, then drop the connection without a reply.
      await new Promise((r) => setTimeout(r, fault.ms));
      req.socket.destroy();
      return;
    }
    try {
      const headers = { ...req.headers };
      delete headers.host;
      delete headers['content-length'];
      const up = await fetch(`${this.target}${req.url}`, {
        method: req.method,
        headers: headers as Record<string, string>,
        body: body.length ? body : undefined,
      });
      const text = await up.text();
      if (fault?.kind === 'malformed') {
        // A 200 whose JSON does not match the contract: groups is not an array.
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ groups: 'garbage', policyVersion: 'x' }));
        return;
      }
      res.writeHead(up.status, { 'content-type': up.headers.get('content-type') ?? 'application/json' });
      res.end(text);
    } catch {
      // The service is gone (killed): the caller sees a dropped connection, as it would directly.
      req.socket.destroy();
    }
  }
}
