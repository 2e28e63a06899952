// Runs nginx (when installed, e.g. Debian's `apt-get install nginx-light`) on 127.0.0.1 with the
// compose balancer config infra/nginx/reward-lb.conf, its `server reward:8001 resolve` line
// replaced by one `server` line per local upstream (Docker's DNS and `resolve`, nginx >= 1.27.3,
// are not there outside compose). Used by `SCALE_LB=nginx node scripts/scale-bench.mjs`.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';

const confFile = new URL('../nginx/reward-lb.conf', import.meta.url);

/** The nginx binary on PATH, or undefined. */
export function findNginx() {
  try {
    execFileSync('nginx', ['-v'], { stdio: 'ignore' });
    return 'nginx';
  } catch {
    return undefined;
  }
}

async function freePort() {
  const s = createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

/**
 * @param {{upstreams: string[]}} opts upstream URLs like http://127.0.0.1:PORT
 * @returns {Promise<{url: string, close: () => Promise<void>}>}
 */
export async function startNginx(opts) {
  const prefix = mkdtempSync(path.join(os.tmpdir(), 'grpo-nginx-'));
  mkdirSync(path.join(prefix, 'logs'));
  const port = await freePort();
  const site = readFileSync(confFile, 'utf8')
    .replace(/^\s*server reward:8001 resolve (.*);$/m, (_m, rest) =>
      opts.upstreams.map((u) => `    server ${new URL(u).host} ${rest};`).join('\n'),
    )
    .replace(/^\s*resolver .*;$/m, '')
    .replace('listen 8001;', `listen 127.0.0.1:${port};`);
  writeFileSync(path.join(prefix, 'site.conf'), site);
  const conf = path.join(prefix, 'nginx.conf');
  writeFileSync(
    conf,
    [
      `pid ${prefix}/nginx.pid;`,
      `error_log ${prefix}/logs/error.log warn;`,
      'worker_processes 1;',
      'events { worker_connections 1024; }',
      'http {',
      '  access_log off;',
      `  client_body_temp_path ${prefix}/body;`,
      `  proxy_temp_path ${prefix}/proxy;`,
      `  include ${prefix}/site.conf;`,
      '}',
      '',
    ].join('\n'),
  );
  execFileSync('nginx', ['-c', conf, '-p', prefix], { stdio: 'pipe' });
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      try {
        execFileSync('nginx', ['-c', conf, '-p', prefix, '-s', 'stop'], { stdio: 'pipe' });
      } finally {
        // nginx removes its pid file once its workers are gone.
        for (let i = 0; i < 50; i++) {
          try {
            readFileSync(path.join(prefix, 'nginx.pid'));
          } catch {
            break;
          }
          await new Promise((r) => setTimeout(r, 20));
        }
        rmSync(prefix, { recursive: true, force: true });
      }
    },
  };
}
