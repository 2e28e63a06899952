// Turns openapi/<service>.json into the TypeScript types that service's client is typed with
// (openapi-typescript). Run by `npm run openapi`; libs/clients/test/generated.test.ts fails
// when a committed src/generated/<service>.generated.ts differs from what this produces.
import openapiTS, { astToString, type OpenAPI3 } from 'openapi-typescript';

/** The services with a generated client, in the order `npm run openapi` writes them. */
export const CLIENT_SERVICES = ['reward', 'rollout', 'trainer'] as const;
export type ClientService = (typeof CLIENT_SERVICES)[number];

const header = (service: ClientService) =>
  `// GENERATED from openapi/${service}.json by \`npm run openapi\` (openapi-typescript). Do not edit.\n`;

/** The file's text for a service's OpenAPI 3 document. */
export async function serviceTypesText(
  service: ClientService,
  spec: Record<string, unknown>,
): Promise<string> {
  // defaultNonNullable off: a request-body field with a default stays optional in the types
  // (the service fills it in), also where the body is a shared component.
  const ast = await openapiTS(spec as unknown as OpenAPI3, { alphabetize: false, defaultNonNullable: false });
  return header(service) + astToString(ast);
}

/** Where a service's generated file lives. */
export const serviceTypesFile = (service: ClientService): URL =>
  new URL(`../src/generated/${service}.generated.ts`, import.meta.url);
