// Container HEALTHCHECK: GET /health on the service that PID 1 runs. The service and port are
// read from PID 1's command line (`grpo serve <service> [--port N]`), else from the service's
// env var (GRPO_<SERVICE>_PORT), else its default port. Exit 0 healthy, 1 not.
import { readFileSync } from 'node:fs';

const DEFAULT_PORTS = { reward: 8001, rollout: 8002, trainer: 8003 };
const TIMEOUT_MS = 4_000;

/** @param {string[]} argv @param {Record<string, string | undefined>} env */
export function healthUrl(argv, env) {
  const i = argv.indexOf('serve');
  const service = i >= 0 ? argv[i + 1] : undefined;
  if (!service || !(service in DEFAULT_PORTS)) return undefined;
  const flag = argv.findIndex((a) => a === '--port' || a.startsWith('--port='));
  const port =
    flag < 0
      ? (env[`GRPO_${service.toUpperCase()}_PORT`] ?? DEFAULT_PORTS[service])
      : argv[flag].includes('=')
        ? argv[flag].split('=')[1]
        : argv[flag + 1];
  return `http://127.0.0.1:${port}/health`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  let argv = [];
  try {
    argv = readFileSync('/proc/1/cmdline', 'utf8').split('\0');
  } catch {}
  const url = healthUrl(argv, process.env) ?? `http://127.0.0.1:${DEFAULT_PORTS.reward}/health`;
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
    process.exit(res.ok ? 0 : 1);
  } catch {
    process.exit(1);
  }
}
