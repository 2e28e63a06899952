import { startRewardServer } from '@grpo/reward-service';
import { startRolloutServer } from '@grpo/rollout-service';
import { ConfigError } from '@grpo/service-kit';
import { startTrainerServer } from '@grpo/trainer-service';
import { parseCommand, USAGE, UsageError } from './args.js';
import { writeKeyFiles } from './keys.js';
import { quickstart } from './quickstart.js';
import { readRunConfigFile, train } from './train.js';

export * from './args.js';
export * from './keys.js';
export * from './progress.js';
export * from './quickstart.js';
export * from './sse.js';
export * from './train.js';

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
    if (cmd.command === 'train') {
      const body =
        cmd.resume !== undefined ? { resume: cmd.resume } : await readRunConfigFile(cmd.config as string);
      const apiKey = process.env.GRPO_API_KEY || undefined;
      const { status } = await train({ trainerUrl: cmd.trainerUrl, body, out: process.stdout, apiKey });
      return status.state === 'completed' ? 0 : 1;
    }
    if (cmd.command === 'keys') {
      process.stdout.write(await writeKeyFiles(cmd.out));
      return 0;
    }
    if (cmd.command === 'quickstart') {
      const r = await quickstart({
        runsDir: cmd.runsDir,
        seed: cmd.seed,
        sftSteps: cmd.sftSteps,
        out: process.stdout,
      });
      return r.state === 'completed' ? 0 : 1;
    }
    if (cmd.service === 'trainer') {
      const server = await startTrainerServer(cmd.overrides);
      process.stdout.write(
        `trainer service listening on ${server.url} (runs in ${server.config.runsDir})\n` +
          `  dashboard: ${server.url}/dashboard\n  docs:      ${server.url}/docs\n  openapi:   ${server.url}/openapi.json\n`,
      );
      return 0;
    }
    if (cmd.service === 'rollout') {
      const server = await startRolloutServer(cmd.overrides);
      const policy =
        server.config.engine === 'onnx'
          ? `${server.config.model || 'the tiny built-in policy'} on ${server.config.executionProvider}`
          : server.config.upstreams.join(', ');
      process.stdout.write(
        `rollout service listening on ${server.url} (engine ${server.config.engine}: ${policy})\n` +
          `  docs:    ${server.url}/docs\n  openapi: ${server.url}/openapi.json\n`,
      );
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
