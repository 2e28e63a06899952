import { compileGraph, Graph } from '@grpo/graph';
import { disposeTensor, type OnnxSession, type SessionOptions, type Tensor } from '@grpo/onnx';
import type { ModelConfig } from '../config.js';
import { BAD_INPUT, ModelError } from '../errors.js';
import { int64Tensor } from './feeds.js';

/**
 * The batch KV cache kept on the device (WebGPU `gpu-buffer` tensors) across decode steps:
 * the decode graph (built with `present: true`) returns concat(past, new) per layer, which is
 * fed back as the next step's past without passing through the host. Only the small int64
 * attention mask (rows, slots + 1) and the sampled token ids go down each step, and only the
 * logits come back. Row changes (replicating a prefilled prompt into its G samples, dropping
 * finished rows) run one Gather session on the device. Every replaced tensor is disposed at
 * once, so device memory holds one cache (plus the step's new one while it runs).
 */
export class DeviceKvCache {
  private readonly layers: number;
  private readonly gather: OnnxSession;
  /** past.<l>.key / past.<l>.value, each (rows, kvHeads, filled, headDim), on the device. */
  private past: Record<string, Tensor> = {};
  /** (rows, filled): 1 where a slot holds a real token (prompt padding is 0). */
  private valid: Uint8Array = new Uint8Array(0);
  private nRows = 0;
  private nFilled = 0;

  private constructor(layers: number, gather: OnnxSession) {
    this.layers = layers;
    this.gather = gather;
  }

  /** Builds the row-gather session; `session` must select the webgpu provider. */
  static async create(c: ModelConfig, session: SessionOptions): Promise<DeviceKvCache> {
    const g = new Graph();
    const rows = g.input('rows', 'int64', ['n']);
    for (let l = 0; l < c.numLayers; l++) {
      for (const kind of ['key', 'value']) {
        const x = g.input(`kv.${l}.${kind}`, 'float32', ['batch', c.numKvHeads, 'slots', c.headDim]);
        g.output(`past.${l}.${kind}`, g.gather(x, rows));
      }
    }
    return new DeviceKvCache(c.numLayers, await compileGraph(g, { ...session, deviceOutputs: 'all' }));
  }

  get rows(): number {
    return this.nRows;
  }

  get filled(): number {
    return this.nFilled;
  }

  private async gatherRows(src: Record<string, Tensor>, rows: readonly number[], prefix: string) {
    const feeds: Record<string, Tensor> = { rows: int64Tensor(rows, [rows.length]) };
    for (let l = 0; l < this.layers; l++) {
      feeds[`kv.${l}.key`] = src[`${prefix}.${l}.key`]!;
      feeds[`kv.${l}.value`] = src[`${prefix}.${l}.value`]!;
    }
    return this.gather.run(feeds);
  }

  /**
   * Starts the cache from a prefill's kv.<l>.* outputs (device tensors, (srcRows, kvHeads,
   * slots, headDim)): cache row r takes source row srcRows[r]; `slotMask` (srcRows, slots)
   * marks padding 0. The prefill's kv tensors are disposed.
   */
  async start(pre: Record<string, Tensor>, srcRows: readonly number[], slotMask: ArrayLike<number>) {
    const first = pre['kv.0.key'];
    if (!first) throw new ModelError(BAD_INPUT, 'kv.0.key', 'prefill outputs hold no kv.<layer>.key');
    const slots = first.dims[2]!;
    this.dispose();
    this.past = await this.gatherRows(pre, srcRows, 'kv');
    for (let l = 0; l < this.layers; l++) {
      disposeTensor(pre[`kv.${l}.key`]);
      disposeTensor(pre[`kv.${l}.value`]);
    }
    this.nRows = srcRows.length;
    this.nFilled = slots;
    this.valid = new Uint8Array(this.nRows * slots);
    srcRows.forEach((s, r) => {
      for (let t = 0; t < slots; t++) this.valid[r * slots + t] = slotMask[s * slots + t] ? 1 : 0;
    });
  }

  /** Feeds of a one-token decode step: past.<l>.* (device) and attention_mask (rows, filled + 1). */
  feeds(): Record<string, Tensor> {
    const total = this.nFilled + 1;
    const mask = new Uint8Array(this.nRows * total);
    for (let r = 0; r < this.nRows; r++) {
      mask.set(this.valid.subarray(r * this.nFilled, (r + 1) * this.nFilled), r * total);
      mask[r * total + this.nFilled] = 1;
    }
    return { ...this.past, attention_mask: int64Tensor(mask, [this.nRows, total]) };
  }

  /** Takes a decode step's present.<l>.* as the cache (one new real slot per row); the old past is disposed. */
  advance(out: Record<string, Tensor>): void {
    const next: Record<string, Tensor> = {};
    for (let l = 0; l < this.layers; l++) {
      for (const kind of ['key', 'value']) {
        const t = out[`present.${l}.${kind}`];
        if (!t) throw new ModelError(BAD_INPUT, `present.${l}.${kind}`, 'decode outputs hold no present.*');
        next[`past.${l}.${kind}`] = t;
      }
    }
    this.dispose();
    const total = this.nFilled + 1;
    const valid = new Uint8Array(this.nRows * total);
    for (let r = 0; r < this.nRows; r++) {
      valid.set(this.valid.subarray(r * this.nFilled, (r + 1) * this.nFilled), r * total);
      valid[r * total + this.nFilled] = 1;
    }
    this.past = next;
    this.valid = valid;
    this.nFilled = total;
  }

  /** Keeps only `rows` (cache row indices, in the order given). */
  async keepRows(rows: readonly number[]): Promise<void> {
    if (rows.length === 0 || rows.some((r) => !(r >= 0 && r < this.nRows)))
      throw new ModelError(BAD_INPUT, 'rows', `keepRows needs row indices in [0, ${this.nRows})`);
    const next = await this.gatherRows(this.past, rows, 'past');
    this.dispose();
    const f = this.nFilled;
    const valid = new Uint8Array(rows.length * f);
    rows.forEach((r, i) => {
      valid.set(this.valid.subarray(r * f, (r + 1) * f), i * f);
    });
    this.past = next;
    this.valid = valid;
    this.nRows = rows.length;
  }

  /** Frees the cache's device tensors (the gather session stays). */
  dispose(): void {
    for (const t of Object.values(this.past)) disposeTensor(t);
    this.past = {};
  }

  async release(): Promise<void> {
    this.dispose();
    await this.gather.release();
  }
}
