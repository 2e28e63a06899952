// Lints every openapi/*.json with Redocly's CLI and redocly.yaml (`npm run lint:openapi`, part
// of `npm test`); exits non-zero on any error. Telemetry and update checks are off: CI is offline.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const specs = readdirSync(path.join(root, 'openapi'))
  .filter((f) => f.endsWith('.json'))
  .map((f) => path.join('openapi', f));
if (specs.length === 0) {
  console.error('lint-openapi: no openapi/*.json found');
  process.exit(1);
}
const pkg = createRequire(import.meta.url).resolve('@redocly/cli/package.json');
const bin = path.join(path.dirname(pkg), 'bin', 'cli.js');
const r = spawnSync(process.execPath, [bin, 'lint', '--config', 'redocly.yaml', ...specs], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
});
process.exit(r.status ?? 1);
