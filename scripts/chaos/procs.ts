import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');

/** A service running as its own process, started from source like the e2e tests. */
export interface ServiceProc {
  name: string;
  url: string;
  child: ChildProcess;
  /** SIGKILL, and wait for the exit. */
  kill(): Promise<void>;
  /** SIGTERM (graceful), and wait for the exit. */
  stop(): Promise<void>;
}

/**
 * Starts `services/<name>/src/server.ts` with `env` on 127.0.0.1 and a free port; resolves once
 * it listens (the IPC `listening` message of service-kit's startIfMain). Its stdout and stderr
 * go to `logFile`.
 */
export async function startService(
  name: 'reward' | 'rollout' | 'trainer',
  env: Record<string, string>,
  logFile: string,
): Promise<ServiceProc> {
  const log = fs.openSync(logFile, 'a');
  const prefix = `GRPO_${name.toUpperCase()}_`;
  const child = spawn(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', path.join(root, `services/${name}/src/server.ts`)],
    {
      cwd: root,
      env: {
        ...process.env,
        [`${prefix}HOST`]: '127.0.0.1',
        [`${prefix}PORT`]: '0',
        [`${prefix}LOG_LEVEL`]: 'warn',
        ...env,
      },
      stdio: ['ignore', log, log, 'ipc'],
    },
  );
  fs.closeSync(log);
  const exited = once(child, 'exit');
  const url = await new Promise<string>((resolve, reject) => {
    child.on('message', (m: { event?: string; url?: string }) => {
      if (m.event === 'listening' && m.url) resolve(m.url);
    });
    void exited.then(([code]) =>
      reject(new Error(`${name} exited with ${code} before listening (see ${logFile})`)),
    );
  });
  const alive = () => child.exitCode === null && child.signalCode === null;
  return {
    name,
    url,
    child,
    async kill() {
      if (!alive()) return;
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (!alive()) return;
      child.kill('SIGTERM');
      await exited;
    },
  };
}
