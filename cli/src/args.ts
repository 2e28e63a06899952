import { parseArgs } from 'node:util';

/** Thrown for bad command lines; the CLI prints the message and usage, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export const USAGE = `grpo: GRPO Stack command line

Usage:
  grpo serve reward [--host H] [--port N] [--workers N] [--log-level L]
  grpo --help | grpo serve --help

Commands:
  serve reward   run the reward service until SIGINT/SIGTERM (graceful shutdown)

Options of serve reward (each also settable by env var; flags win):
  --host H         interface to listen on           GRPO_REWARD_HOST       (default 127.0.0.1)
  --port N         port, 0 = any free port          GRPO_REWARD_PORT       (default 8001)
  --workers N      scoring worker threads, 0 = one per core   GRPO_REWARD_WORKERS (default 0)
  --log-level L    fatal|error|warn|info|debug|trace|silent   GRPO_REWARD_LOG_LEVEL (default info)
Other limits (GRPO_REWARD_MAX_ITEMS, ..._ITEM_TIMEOUT_MS, ...) are listed in services/reward/README.md.
`;

export interface ServeCommand {
  command: 'serve';
  service: string;
  overrides: Record<string, unknown>;
}
export type Command = ServeCommand | { command: 'help' };

function toInt(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`--${flag} must be a non-negative integer, got "${value}"`);
  return Number(value);
}

/** Parses argv (without node and the script) into a command; throws UsageError on bad input. */
export function parseCommand(argv: readonly string[]): Command {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  const { values, positionals } = parsed;
  if (values.help || positionals.length === 0) return { command: 'help' };
  const [cmd, service, ...rest] = positionals;
  if (cmd !== 'serve') throw new UsageError(`unknown command "${cmd}"`);
  if (!service) throw new UsageError('serve needs a service name: reward');
  if (rest.length) throw new UsageError(`unexpected argument "${rest[0]}"`);
  if (service !== 'reward') {
    throw new UsageError(`service "${service}" is not available in this build; available: reward`);
  }
  const overrides: Record<string, unknown> = {};
  if (values.host !== undefined) overrides.host = values.host;
  const port = toInt('port', values.port);
  if (port !== undefined) overrides.port = port;
  const workers = toInt('workers', values.workers);
  if (workers !== undefined) overrides.workers = workers;
  if (values['log-level'] !== undefined) overrides.logLevel = values['log-level'];
  return { command: 'serve', service, overrides };
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      help: { type: 'boolean', short: 'h' },
      host: { type: 'string' },
      port: { type: 'string', short: 'p' },
      workers: { type: 'string', short: 'w' },
      'log-level': { type: 'string' },
    },
  });
}
