// Writes openapi/<service>.json from the route schemas (npm run openapi), then the typed
// clients' types from those documents. The files are generated, never edited by hand;
// services/<service>/test/openapi.test.ts and libs/clients/test/generated.test.ts fail on drift.
import { mkdirSync, writeFileSync } from 'node:fs';
import { openApiText, rewardOpenApi } from '@grpo/reward-service';
import { rolloutOpenApi } from '@grpo/rollout-service';
import { trainerOpenApi } from '@grpo/trainer-service';
import {
  CLIENT_SERVICES,
  type ClientService,
  serviceTypesFile,
  serviceTypesText,
} from '../libs/clients/codegen/service-types.js';

const build: Record<ClientService, () => Promise<Record<string, unknown>>> = {
  reward: rewardOpenApi,
  rollout: rolloutOpenApi,
  trainer: trainerOpenApi,
};
const outDir = new URL('../openapi/', import.meta.url);
mkdirSync(outDir, { recursive: true });
for (const service of CLIENT_SERVICES) {
  const spec = await build[service]();
  const file = new URL(`${service}.json`, outDir);
  writeFileSync(file, openApiText(spec));
  console.log(`wrote ${file.pathname}`);
  const types = serviceTypesFile(service);
  writeFileSync(types, await serviceTypesText(service, spec));
  console.log(`wrote ${types.pathname}`);
}
