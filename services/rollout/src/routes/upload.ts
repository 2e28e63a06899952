import { copyFile, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ErrorBody, PutPolicyResponse, RolloutErrorCodes } from '@grpo/contracts';
import { FieldError, type KitApp } from '@grpo/service-kit';
import { Type } from '@sinclair/typebox';
import type { RolloutConfig } from '../config.js';
import type { RolloutEngine } from '../engine/types.js';
import { loadCheckpoint } from './policy.js';

/**
 * `PUT /v1/policy/weights`: a raw safetensors body (the trainer's new weights) for the loaded
 * architecture. It is written next to a copy of the current checkpoint's config and tokenizer
 * files in a temp folder, loaded like any folder, and the previous upload folder is removed.
 */
export function uploadRoute(app: KitApp, engine: RolloutEngine, config: Readonly<RolloutConfig>): void {
  let current: string | null = null;
  /** Uploads run one at a time (each copies the folder the previous one made). */
  let chain: Promise<unknown> = Promise.resolve();
  app.addContentTypeParser(
    'application/octet-stream',
    { parseAs: 'buffer', bodyLimit: config.maxUploadBytes },
    (_req, body, done) => done(null, body),
  );
  app.addHook('onClose', async () => {
    if (current) await rm(current, { recursive: true, force: true });
  });
  app.put(
    '/v1/policy/weights',
    {
      bodyLimit: config.maxUploadBytes,
      schema: {
        tags: ['policy'],
        summary: 'Upload new weights (one safetensors file, application/octet-stream) for the loaded model',
        description:
          'Same architecture, config and tokenizer as the loaded checkpoint; only the tensors change. Swaps ' +
          'between batches like PUT /v1/policy. Not available on the openai engine (upstreams load from disk).',
        consumes: ['application/octet-stream'],
        body: Type.Unknown({ description: 'model.safetensors bytes' }),
        response: { 200: PutPolicyResponse, 400: ErrorBody, 413: ErrorBody, 415: ErrorBody },
      },
    },
    async (request) => {
      const from = engine.policyInfo().path;
      if (engine.kind !== 'onnx' || !from)
        throw new FieldError(
          RolloutErrorCodes.unsupported,
          400,
          'body',
          'weight upload needs the onnx engine; use PUT /v1/policy with a path',
        );
      const body = request.body;
      if (!Buffer.isBuffer(body) || body.length === 0)
        throw new FieldError(
          RolloutErrorCodes.badPolicy,
          400,
          'body',
          'send the safetensors bytes as application/octet-stream',
        );
      const run = chain.then(() => install(from, body));
      chain = run.catch(() => undefined);
      return run;
    },
  );

  async function install(from: string, body: Buffer) {
    const dir = await mkdtemp(path.join(tmpdir(), 'grpo-rollout-upload-'));
    try {
      for (const name of await readdir(from)) {
        if (name.endsWith('.safetensors') || name.endsWith('.safetensors.index.json')) continue;
        await copyFile(path.join(from, name), path.join(dir, name));
      }
      await writeFile(path.join(dir, 'model.safetensors'), body);
      const swap = await loadCheckpoint(engine, dir, 'body');
      // The loaded policy lives in memory; the previous upload folder is no longer read.
      const previous = current;
      current = dir;
      if (previous) await rm(previous, { recursive: true, force: true });
      return swap;
    } catch (err) {
      await rm(dir, { recursive: true, force: true });
      throw err;
    }
  }
}
