import { startRewardServer } from '@grpo/reward-service';
import { ConfigError } from '@grpo/service-kit';
import { parseCommand, USAGE, UsageError } from './args.js';

export * from './args.js';

/**
 * Runs the CLI. Returns the exit code for commands that finish; `serve` resolves once the
 * server listens and the process then lives until SIGINT/SIGTERM.
 */
export async function main(argv: readonly string[]): Promise<number> {
  try {
    const cmd = parseCommand(argv);
    if (cmd.command === 'help') {
      process.stdout.write(USAGE);
      return 0;
    }
    const server = await startRewardServer(cmd.overrides);
    process.stdout.write(
      `reward service listening on ${server.url} (${server.workers} workers)\n` +
        `  docs:    ${server.url}/docs\n  openapi: ${server.url}/openapi.json\n`,
    );
    return 0;
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`grpo: ${err.message}\n\n${USAGE}`);
      return 2;
    }
    if (err instanceof ConfigError) {
      process.stderr.write(`grpo: ${err.message}\n`);
      return 2;
    }
    process.stderr.write(`grpo: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}
