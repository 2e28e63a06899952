/**
 * Entry of a sandbox worker process (forked by SandboxPool with --no-node-snapshot, which
 * isolated-vm requires). Receives one job at a time over IPC and answers with its result.
 * This process is expendable: if an isolate brings it down (a V8 fatal out-of-memory, a
 * native crash) or it stops answering, the pool kills it, reports the job, and forks another.
 */
import type { ResolvedJob } from './limits.js';
import { IsolateRunner, RETIRE_AFTER_CALLS } from './runner.js';

interface Request {
  id: number;
  job: ResolvedJob;
}

const runner = new IsolateRunner();
const send = (msg: unknown) => process.send?.(msg);

process.on('message', (msg: Request) => {
  const result = runner.run(msg.job);
  const retire = runner.calls >= RETIRE_AFTER_CALLS;
  send({ id: msg.id, result, retire });
  if (retire) {
    runner.dispose();
    process.disconnect();
  }
});
process.on('disconnect', () => {
  runner.dispose();
  process.exit(0);
});
send({ ready: true });
