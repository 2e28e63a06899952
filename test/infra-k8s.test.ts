import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '@grpo/service-kit';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Namespace, PersistentVolumeClaim, Service } from 'kubernetes-models/v1';
import { parse, parseAllDocuments } from 'yaml';
import { parseServiceOrigins } from '../services/trainer/src/run/confine.js';
import { serviceConfigs, unknownEnvNames } from './infra-env.js';

// infra/k8s is validated without a cluster: every object against the Kubernetes 1.27 OpenAPI
// schemas that kubernetes-models ships (types, required fields, enums, int-or-string), then the
// cross-object wiring a schema cannot see. kubectl is not needed.
const dir = fileURLToPath(new URL('../infra/k8s/', import.meta.url));

interface Port {
  name: string;
  containerPort: number;
}
interface Probe {
  httpGet: { path: string; port: string | number };
}
interface Container {
  name: string;
  args: string[];
  ports: Port[];
  envFrom: ({ configMapRef: { name: string } } | { secretRef: { name: string; optional?: boolean } })[];
  resources: Record<'requests' | 'limits', { cpu?: string; memory?: string }>;
  readinessProbe: Probe;
  livenessProbe: Probe;
  startupProbe: Probe;
  securityContext: { allowPrivilegeEscalation?: boolean; readOnlyRootFilesystem?: boolean };
  volumeMounts: { name: string; mountPath: string }[];
}
interface PodTemplate {
  metadata: { labels: Record<string, string>; annotations: Record<string, string> };
  spec: {
    securityContext: { runAsNonRoot?: boolean };
    containers: Container[];
    volumes: { name: string; persistentVolumeClaim?: { claimName: string } }[];
  };
}
/** The fields of the manifests these tests read; the schemas check the rest. */
interface Obj {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  data: Record<string, string>;
  spec: {
    replicas: number;
    strategy: { type: string };
    selector: Record<string, string> & { matchLabels: Record<string, string> };
    template: PodTemplate;
    ports: { targetPort: string; port: number }[];
    scaleTargetRef: { apiVersion: string; kind: string; name: string };
    minReplicas: number;
    maxReplicas: number;
    metrics: { resource?: { name: string; target: { averageUtilization: number } } }[];
  };
}

const files = readdirSync(dir).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml');
const objects: (Obj & { file: string })[] = files.flatMap((file) =>
  parseAllDocuments(readFileSync(dir + file, 'utf8')).map((doc) => {
    assert.deepEqual(doc.errors, [], `${file}: YAML errors`);
    return { ...(doc.toJS() as Obj), file };
  }),
);
const byKind = (kind: string) => objects.filter((o) => o.kind === kind);
const find = (kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name);

const models: Record<string, new (data: never) => { validate(): void }> = {
  'apps/v1/Deployment': Deployment,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'v1/ConfigMap': ConfigMap,
  'v1/Namespace': Namespace,
  'v1/PersistentVolumeClaim': PersistentVolumeClaim,
  'v1/Service': Service,
};

function validate(o: Obj) {
  const Model = models[`${o.apiVersion}/${o.kind}`];
  assert.ok(Model, `${o.apiVersion} ${o.kind} has no schema here`);
  const { file: _file, ...data } = o as Obj & { file?: string };
  new Model(data as never).validate();
}

test('every manifest object is valid against the Kubernetes schema of its kind', () => {
  assert.ok(objects.length >= 12, `${objects.length} objects`);
  for (const o of objects) assert.doesNotThrow(() => validate(o), `${o.file}: ${o.kind} ${o.metadata?.name}`);
  // The validator is not vacuous: a port given as text and a missing selector are rejected.
  const d = structuredClone(find('Deployment', 'grpo-reward')!);
  (d.spec.template.spec.containers[0]!.ports[0] as { containerPort: unknown }).containerPort =
    'eight thousand';
  assert.throws(() => validate(d), /containerPort/);
  const h = structuredClone(find('HorizontalPodAutoscaler', 'grpo-reward')!);
  delete (h.spec as Partial<Obj['spec']>).scaleTargetRef;
  assert.throws(() => validate(h), /scaleTargetRef/);
});

test('names are unique per kind, everything is in namespace grpo, and kustomization lists every file', () => {
  const keys = objects.map((o) => `${o.kind}/${o.metadata.name}`);
  assert.equal(new Set(keys).size, keys.length, keys.join(', '));
  for (const o of objects)
    if (o.kind !== 'Namespace') assert.equal(o.metadata.namespace, 'grpo', keys.join());
  const kustomization = parse(readFileSync(`${dir}kustomization.yaml`, 'utf8')) as { resources: string[] };
  assert.deepEqual([...kustomization.resources].sort(), [...files].sort());
});

test('one Deployment and one Service per service, the Service selecting the pods by label', () => {
  for (const svc of ['reward', 'rollout', 'trainer']) {
    const d = find('Deployment', `grpo-${svc}`)!;
    const s = find('Service', `grpo-${svc}`)!;
    assert.ok(d && s, svc);
    const podLabels = d.spec.template.metadata.labels;
    for (const [k, v] of Object.entries(d.spec.selector.matchLabels))
      assert.equal(podLabels[k], v, `${svc}: Deployment selector ${k}`);
    for (const [k, v] of Object.entries(s.spec.selector))
      assert.equal(podLabels[k], v, `${svc}: Service selector ${k}`);
    const container = d.spec.template.spec.containers[0]!;
    assert.deepEqual(container.args, ['serve', svc]);
    const portNames = container.ports.map((p) => p.name);
    for (const p of s.spec.ports)
      assert.ok(portNames.includes(p.targetPort), `${svc}: Service targets a named container port`);
  }
});

test("the trainer accepts as service URLs exactly the reward and rollout Services' cluster names and ports", () => {
  const list = find('ConfigMap', 'grpo-trainer-config')!.data.GRPO_TRAINER_SERVICE_ORIGINS ?? '';
  const expected = ['reward', 'rollout'].map((svc) => {
    const s = find('Service', `grpo-${svc}`)!;
    return `http://${s.metadata.name}.${s.metadata.namespace}.svc:${s.spec.ports[0]!.port}`;
  });
  assert.deepEqual(parseServiceOrigins(list).sort(), expected.sort());
});

test('probes: readiness on /ready and liveness on /health, on the container port', () => {
  for (const d of byKind('Deployment')) {
    for (const c of d.spec.template.spec.containers) {
      const port = c.ports[0]!;
      assert.equal(c.readinessProbe.httpGet.path, '/ready', d.metadata.name);
      assert.equal(c.livenessProbe.httpGet.path, '/health', d.metadata.name);
      for (const probe of [c.readinessProbe, c.livenessProbe, c.startupProbe])
        assert.ok([port.name, port.containerPort].includes(probe.httpGet.port), d.metadata.name);
      const configPort = byKind('ConfigMap')
        .flatMap((m) => Object.entries(m.data))
        .find(([k]) => k === `GRPO_${c.name.toUpperCase()}_PORT`)?.[1];
      assert.equal(Number(configPort), port.containerPort, `${c.name}: the service listens where probed`);
    }
  }
});

test('every container has CPU and memory requests and limits, and runs as non-root', () => {
  for (const d of byKind('Deployment')) {
    const pod = d.spec.template.spec;
    assert.equal(pod.securityContext.runAsNonRoot, true);
    for (const c of pod.containers) {
      for (const k of ['requests', 'limits']) {
        assert.ok(c.resources[k as 'requests' | 'limits'].cpu, `${d.metadata.name} ${k}.cpu`);
        assert.ok(c.resources[k as 'requests' | 'limits'].memory, `${d.metadata.name} ${k}.memory`);
      }
      assert.equal(c.securityContext.allowPrivilegeEscalation, false);
      assert.equal(c.securityContext.readOnlyRootFilesystem, true);
      assert.ok(
        c.volumeMounts.some((m) => m.mountPath === '/tmp'),
        'a writable /tmp',
      );
    }
  }
});

test('HPAs scale reward and rollout on CPU, target existing Deployments, and the trainer is not autoscaled', () => {
  const hpas = byKind('HorizontalPodAutoscaler');
  assert.deepEqual(hpas.map((h) => h.spec.scaleTargetRef.name).sort(), ['grpo-reward', 'grpo-rollout']);
  for (const h of hpas) {
    const ref = h.spec.scaleTargetRef;
    const d = find(ref.kind, ref.name);
    assert.ok(d && ref.apiVersion === d.apiVersion, `${h.metadata.name} targets ${ref.kind}/${ref.name}`);
    const target = h.spec.metrics.find((m) => m.resource?.name === 'cpu')?.resource?.target;
    assert.ok(target && target.averageUtilization > 0 && target.averageUtilization <= 100);
    // Utilization is measured against the request: without one the HPA cannot compute it.
    assert.ok(d!.spec.template.spec.containers.every((c) => c.resources.requests.cpu));
    assert.ok(h.spec.minReplicas >= 1 && h.spec.maxReplicas > h.spec.minReplicas);
  }
  const trainer = find('Deployment', 'grpo-trainer')!;
  assert.equal(trainer.spec.replicas, 1);
  assert.equal(trainer.spec.strategy.type, 'Recreate', 'two trainers never share a run directory');
});

test('the trainer mounts the runs PersistentVolumeClaim at its runs directory', () => {
  const trainer = find('Deployment', 'grpo-trainer')!;
  const pod = trainer.spec.template.spec;
  const vol = pod.volumes.find((v) => v.persistentVolumeClaim)!;
  assert.ok(find('PersistentVolumeClaim', vol.persistentVolumeClaim!.claimName), 'the claim exists');
  const mount = pod.containers[0]!.volumeMounts.find((m) => m.name === vol.name)!;
  assert.equal(find('ConfigMap', 'grpo-trainer-config')!.data.GRPO_TRAINER_RUNS_DIR, mount.mountPath);
});

test('ConfigMaps hold only settings the services read, with values their config schemas accept', () => {
  for (const d of byKind('Deployment')) {
    const c = d.spec.template.spec.containers[0]!;
    const service = c.name;
    const secrets = c.envFrom.flatMap((e) => ('secretRef' in e ? [e.secretRef] : []));
    // Keys live in a per-service Secret that the operator creates (`npx grpo keys`), never in the
    // repo; it is required, since a service on 0.0.0.0 without keys refuses to start (issue #20).
    assert.deepEqual(secrets, [{ name: `grpo-${service}-secrets`, optional: false }]);
    for (const ref of c.envFrom.flatMap((e) => ('configMapRef' in e ? [e.configMapRef.name] : []))) {
      const cm = find('ConfigMap', ref)!;
      assert.ok(cm, `${d.metadata.name} uses ConfigMap ${ref}, which exists`);
      assert.deepEqual(unknownEnvNames(service, cm.data), [], `${ref}: unknown env names`);
      const [prefix, schema] = serviceConfigs[service]!;
      const config = loadConfig(schema, { prefix, env: cm.data }) as { host: string };
      assert.equal(config.host, '0.0.0.0', `${service} listens on the pod network`);
    }
  }
});

test('Prometheus scrapes the annotated pods, and every pod is annotated with its metrics port', () => {
  const prom = parse(readFileSync(new URL('../infra/prometheus/prometheus.yml', import.meta.url), 'utf8'));
  const job = prom.scrape_configs.find((j: { job_name: string }) => j.job_name === 'grpo-pods');
  assert.deepEqual(job.kubernetes_sd_configs, [{ role: 'pod', namespaces: { names: ['grpo'] } }]);
  const keep = job.relabel_configs.find((r: { action: string }) => r.action === 'keep');
  assert.deepEqual(keep.source_labels, ['__meta_kubernetes_pod_annotation_prometheus_io_scrape']);
  // The address rewrite: pod IP with the annotated port.
  const rewrite = job.relabel_configs.find((r: { target_label: string }) => r.target_label === '__address__');
  const m = '10.1.2.3:8080;8001'.match(new RegExp(`^${rewrite.regex}$`))!;
  assert.equal(rewrite.replacement.replace('$1', m[1]).replace('$2', m[2]), '10.1.2.3:8001');
  for (const d of byKind('Deployment')) {
    const a = d.spec.template.metadata.annotations;
    assert.equal(a['prometheus.io/scrape'], 'true');
    assert.equal(a['prometheus.io/path'], '/metrics');
    assert.equal(
      Number(a['prometheus.io/port']),
      d.spec.template.spec.containers[0]!.ports[0]!.containerPort,
    );
  }
  const compose = parse(
    readFileSync(new URL('../infra/prometheus/prometheus-compose.yml', import.meta.url), 'utf8'),
  );
  assert.deepEqual(compose.scrape_configs[0].dns_sd_configs, [
    { names: ['reward'], type: 'A', port: 8001, refresh_interval: '15s' },
  ]);
});
