#!/usr/bin/env node
// The `grpo` command. Runs the built CLI (dist) when it exists; otherwise, in a checkout
// without a build, runs the TypeScript sources through tsx in a child process.
import './node-version.mjs';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dist = new URL('../dist/main.js', import.meta.url);
if (existsSync(dist) && process.env.GRPO_FROM_SOURCE !== '1') {
  await import(dist.href);
} else {
  const src = fileURLToPath(new URL('../src/main.ts', import.meta.url));
  const child = spawn(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', src, ...process.argv.slice(2)],
    {
      stdio: 'inherit',
    },
  );
  // The child shares the terminal's process group and gets Ctrl-C itself; forward SIGTERM.
  process.on('SIGINT', () => {});
  process.on('SIGTERM', () => child.kill('SIGTERM'));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}
