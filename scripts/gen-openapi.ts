// Writes openapi/<service>.json from the route schemas (npm run openapi). The files are
// generated, never edited by hand; services/reward/test/openapi.test.ts fails on drift.
import { mkdirSync, writeFileSync } from 'node:fs';
import { openApiText, rewardOpenApi } from '@grpo/reward-service';

const outDir = new URL('../openapi/', import.meta.url);
mkdirSync(outDir, { recursive: true });
const file = new URL('reward.json', outDir);
writeFileSync(file, openApiText(await rewardOpenApi()));
console.log(`wrote ${file.pathname}`);
