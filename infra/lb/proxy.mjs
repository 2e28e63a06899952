#!/usr/bin/env node
// A small HTTP load balancer for reward replicas on one machine (tests, benchmarks, a laptop
// without Docker). It does what the nginx in docker-compose.yml does: least-connections over the
// upstreams, passive health checks, and a retry on another upstream when one refuses or drops
// the connection before answering. In containers and clusters use nginx or a Kubernetes Service.
//
//   node infra/lb/proxy.mjs --port 8000 --upstream http://127.0.0.1:8101 --upstream http://127.0.0.1:8102
//
// Limits: request bodies are buffered (so they can be re-sent) up to --max-body-bytes (default
// 64 MiB, larger → 413); an upstream that failed is skipped for --fail-timeout-ms (default 1000);
// one request is tried on at most every upstream once. Re-sending a POST is safe here because
// reward scoring is a pure function of the request; do not put this in front of a service whose
// POSTs have side effects.
import http from 'node:http';
import { pathToFileURL } from 'node:url';

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'host',
  'content-length',
]);

/**
 * @param {{upstreams: string[], host?: string, port?: number, maxBodyBytes?: number, failTimeoutMs?: number}} opts
 * @returns {Promise<{url: string, close: () => Promise<void>, stats: {peakBusyUpstreams: number}, upstreams: {url: string, active: number, served: number, failures: number}[]}>}
 */
export async function startProxy(opts) {
  const maxBodyBytes = opts.maxBodyBytes ?? 64 * 1024 * 1024;
  const failTimeoutMs = opts.failTimeoutMs ?? 1000;
  if (!Array.isArray(opts.upstreams) || opts.upstreams.length === 0)
    throw Object.assign(new Error('upstreams: needs at least one upstream URL'), {
      code: 'GRPO_LB_BAD_OPTION',
      field: 'upstreams',
    });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const upstreams = opts.upstreams.map((u) => {
    const url = new URL(u);
    if (url.protocol !== 'http:')
      throw Object.assign(new Error(`upstreams: only http:// upstreams are supported, got ${u}`), {
        code: 'GRPO_LB_BAD_OPTION',
        field: 'upstreams',
      });
    return {
      url: url.origin,
      hostname: url.hostname,
      port: Number(url.port || 80),
      active: 0,
      served: 0,
      failures: 0,
      downUntil: 0,
    };
  });
  let cursor = 0;
  // Largest number of upstreams that were busy at the same moment: evidence of parallel work.
  const stats = { peakBusyUpstreams: 0 };

  /** Least connections among upstreams not in their fail timeout and not tried yet; round-robin among equals. */
  const pick = (tried) => {
    const now = Date.now();
    let best;
    for (let k = 0; k < upstreams.length; k++) {
      const u = upstreams[(cursor + k) % upstreams.length];
      if (tried.has(u) || u.downUntil > now) continue;
      if (!best || u.active < best.active) best = u;
    }
    // Every upstream is cooling down: try the one that failed longest ago rather than refuse.
    if (!best) best = upstreams.filter((u) => !tried.has(u)).sort((a, b) => a.downUntil - b.downUntil)[0];
    if (best) cursor = (upstreams.indexOf(best) + 1) % upstreams.length;
    return best;
  };

  const sendError = (res, status, code, message) => {
    if (res.headersSent) return res.destroy();
    const body = JSON.stringify({ error: { code, message, statusCode: status } });
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };

  const forward = (req, res, body, tried) => {
    const upstream = pick(tried);
    if (!upstream) {
      sendError(res, 502, 'GRPO_LB_NO_UPSTREAM', `no upstream answered (tried ${tried.size})`);
      return;
    }
    tried.add(upstream);
    upstream.active++;
    const busy = upstreams.filter((u) => u.active > 0).length;
    if (busy > stats.peakBusyUpstreams) stats.peakBusyUpstreams = busy;
    const headers = {};
    for (const [k, v] of Object.entries(req.headers)) if (!HOP_BY_HOP.has(k)) headers[k] = v;
    headers['content-length'] = String(body.length);
    headers['x-forwarded-for'] = req.socket.remoteAddress ?? '';
    let settled = false;
    const done = () => {
      if (!settled) {
        settled = true;
        upstream.active--;
      }
    };
    const up = http.request(
      { agent, hostname: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers },
      (upRes) => {
        upstream.served++;
        const out = {};
        for (const [k, v] of Object.entries(upRes.headers)) if (!HOP_BY_HOP.has(k)) out[k] = v;
        out['x-upstream'] = upstream.url;
        res.writeHead(upRes.statusCode ?? 502, out);
        upRes.pipe(res);
        upRes.on('close', done);
        upRes.on('error', () => {
          done();
          res.destroy();
        });
      },
    );
    up.on('error', () => {
      done();
      upstream.failures++;
      upstream.downUntil = Date.now() + failTimeoutMs;
      // Only retry when nothing was sent back yet; after that the client sees a cut reply.
      if (res.headersSent) res.destroy();
      else forward(req, res, body, tried);
    });
    up.end(body);
  };

  const server = http.createServer((req, res) => {
    const parts = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (c) => {
      size += c.length;
      if (size > maxBodyBytes) tooLarge = true;
      else parts.push(c);
    });
    req.on('end', () => {
      if (tooLarge)
        sendError(res, 413, 'GRPO_BODY_TOO_LARGE', `request body over the balancer's ${maxBodyBytes} bytes`);
      else forward(req, res, Buffer.concat(parts), new Set());
    });
  });
  server.keepAliveTimeout = 75_000;
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', resolve);
  });
  const addr = server.address();
  return {
    url: `http://${addr.address}:${addr.port}`,
    upstreams,
    stats,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        agent.destroy();
      }),
  };
}

/** Command line: --host, --port, --upstream (repeat), --max-body-bytes, --fail-timeout-ms. */
async function cli(argv) {
  const opts = { upstreams: [], host: '127.0.0.1', port: 8000 };
  const num = (flag, v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new Error(`${flag}: expected a non-negative integer, got ${v}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (flag === '--upstream') opts.upstreams.push(value);
    else if (flag === '--host') opts.host = value;
    else if (flag === '--port') opts.port = num(flag, value);
    else if (flag === '--max-body-bytes') opts.maxBodyBytes = num(flag, value);
    else if (flag === '--fail-timeout-ms') opts.failTimeoutMs = num(flag, value);
    else throw new Error(`unknown flag ${flag}`);
    i++;
  }
  const lb = await startProxy(opts);
  process.stdout.write(`lb listening on ${lb.url} -> ${lb.upstreams.map((u) => u.url).join(' ')}\n`);
  const stop = () => lb.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  cli(process.argv.slice(2)).catch((err) => {
    process.stderr.write(`lb: ${err.message}\n`);
    process.exit(2);
  });
}
