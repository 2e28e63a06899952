// Turns openapi/reward.json into the TypeScript types the reward client is typed with
// (openapi-typescript). Run by `npm run openapi`; libs/clients/test/generated.test.ts fails
// when the committed src/generated/reward.generated.ts differs from what this produces.
import openapiTS, { astToString, type OpenAPI3 } from 'openapi-typescript';

const HEADER =
  '// GENERATED from openapi/reward.json by `npm run openapi` (openapi-typescript). Do not edit.\n';

/** The file's text for an OpenAPI 3 document. */
export async function rewardTypesText(spec: Record<string, unknown>): Promise<string> {
  const ast = await openapiTS(spec as unknown as OpenAPI3, { alphabetize: false });
  return HEADER + astToString(ast);
}

/** Where the generated file lives. */
export const REWARD_TYPES_FILE = new URL('../src/generated/reward.generated.ts', import.meta.url);
