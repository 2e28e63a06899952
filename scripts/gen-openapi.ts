// Writes openapi/<service>.json from the route schemas (npm run openapi). The files are
// generated, never edited by hand; services/<service>/test/openapi.test.ts fails on drift.
import { mkdirSync, writeFileSync } from 'node:fs';
import { openApiText, rewardOpenApi } from '@grpo/reward-service';
import { rolloutOpenApi } from '@grpo/rollout-service';
import { trainerOpenApi } from '@grpo/trainer-service';
import { REWARD_TYPES_FILE, rewardTypesText } from '../libs/clients/codegen/reward-types.js';

const outDir = new URL('../openapi/', import.meta.url);
mkdirSync(outDir, { recursive: true });
const file = new URL('reward.json', outDir);
const rewardSpec = await rewardOpenApi();
writeFileSync(file, openApiText(rewardSpec));
console.log(`wrote ${file.pathname}`);
// The typed TypeScript client's types, from the same document (libs/clients drift-checks them).
writeFileSync(REWARD_TYPES_FILE, await rewardTypesText(rewardSpec));
console.log(`wrote ${REWARD_TYPES_FILE.pathname}`);
const rolloutFile = new URL('rollout.json', outDir);
writeFileSync(rolloutFile, openApiText(await rolloutOpenApi()));
console.log(`wrote ${rolloutFile.pathname}`);
const trainerFile = new URL('trainer.json', outDir);
writeFileSync(trainerFile, openApiText(await trainerOpenApi()));
console.log(`wrote ${trainerFile.pathname}`);
