import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';

/**
 * Ends a service a test spawned and waits until it has exited: `signal` first (SIGTERM lets it
 * shut down cleanly), SIGKILL after `graceMs`. A child left running would hold the test file's
 * process (and a stderr it inherited) open, and with it the whole suite.
 */
export async function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM', graceMs = 15_000) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
