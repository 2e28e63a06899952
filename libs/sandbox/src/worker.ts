/**
 * Entry of a sandbox worker process (forked by SandboxPool with --no-node-snapshot, which
 * isolated-vm requires). Receives one job at a time over IPC and answers with its result.
 * This process is expendable: if an isolate brings it down (a V8 fatal out-of-memory, a
 * native crash) or it stops answering, the pool kills it, reports the job, and forks another.
 * Python jobs run in a PythonRunner: the worker says `started` once the interpreter is up (a
 * cold boot takes seconds), and after answering it restores a fresh interpreter for the next
 * Python job before it reads the next message.
 */
import type { ResolvedJob } from './limits.js';
import { PythonRunner } from './python/runner.js';
import { IsolateRunner, RETIRE_AFTER_CALLS } from './runner.js';

interface Request {
  id: number;
  job: ResolvedJob;
}

const runner = new IsolateRunner();
const python = new PythonRunner();
const send = (msg: unknown) => process.send?.(msg);
const bootPython = process.env.GRPO_SANDBOX_BOOT_PYTHON === '1';

process.on('message', (msg: Request) => {
  if (msg.job.language === 'python') {
    try {
      python.prepare();
    } catch {
      // run() reports the boot failure as the job's result.
    }
    send({ id: msg.id, started: true });
    const result = python.run(msg.job);
    send({ id: msg.id, result, retire: false });
    try {
      python.prepare();
    } catch {
      // The next Python job retries the boot and reports it.
    }
    return;
  }
  send({ id: msg.id, started: true });
  const result = runner.run(msg.job);
  const retire = runner.calls >= RETIRE_AFTER_CALLS;
  send({ id: msg.id, result, retire });
  if (retire) {
    runner.dispose();
    python.dispose();
    process.disconnect();
  }
});
process.on('disconnect', () => {
  runner.dispose();
  python.dispose();
  process.exit(0);
});
if (bootPython) {
  try {
    python.boot();
  } catch (e) {
    process.stderr.write(`python boot failed: ${e instanceof Error ? e.message : String(e)}\n`);
  }
}
send({ ready: true, python: python.ready, pythonBootMs: python.lastBoot?.bootMs ?? null });
