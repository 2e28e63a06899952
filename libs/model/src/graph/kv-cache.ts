import { type Tensor, tensor } from '@grpo/onnx';
import type { ModelConfig } from '../config.js';
import { BAD_INPUT, ModelError } from '../errors.js';
import { int64Tensor } from './feeds.js';

/**
 * The batch KV cache of the engine, on the host: per layer one keys and one values buffer of
 * (rows, kvHeads, capacity, headDim), the layout attention reads, plus a (rows, capacity) mask
 * of the written slots. The whole buffer is fed to the decode graph as past.<l>.* without a
 * copy (ORT's Node binding reads inputs in place but copies every output), and its unwritten
 * slots are masked out; the graph returns only the new slots, which `append` writes in place.
 * Capacity grows by a quarter (at least 32 slots) up to `maxCapacity`: attention reads every
 * slot, written or not, so a tight capacity is worth the few extra copies of a growth. Rows are
 * sequences; `keepRows` drops finished ones.
 */
export class HostKvCache {
  readonly layers: number;
  readonly maxCapacity: number;
  private readonly kvHeads: number;
  private readonly headDim: number;
  private keys: Float32Array[];
  private values: Float32Array[];
  /** (rows, capacity): 1 where a slot holds a real token. */
  private valid: Uint8Array;
  private nRows: number;
  private cap: number;
  private nFilled = 0;

  /** `rows` sequences, `capacity` slots to start with (grown on demand up to `maxCapacity`). */
  constructor(c: ModelConfig, rows: number, capacity: number, maxCapacity = capacity) {
    for (const [field, v] of [
      ['rows', rows],
      ['capacity', capacity],
      ['maxCapacity', maxCapacity],
    ] as const) {
      if (!Number.isInteger(v) || v < 1)
        throw new ModelError(BAD_INPUT, field, `${field} must be an integer >= 1, got ${v}`);
    }
    this.layers = c.numLayers;
    this.kvHeads = c.numKvHeads;
    this.headDim = c.headDim;
    this.nRows = rows;
    this.cap = Math.min(capacity, maxCapacity);
    this.maxCapacity = maxCapacity;
    const size = rows * this.kvHeads * this.cap * this.headDim;
    this.keys = Array.from({ length: this.layers }, () => new Float32Array(size));
    this.values = Array.from({ length: this.layers }, () => new Float32Array(size));
    this.valid = new Uint8Array(rows * this.cap);
  }

  get rows(): number {
    return this.nRows;
  }

  /** Slots written so far (the same for every row). */
  get filled(): number {
    return this.nFilled;
  }

  get capacity(): number {
    return this.cap;
  }

  /** Re-lays the buffers out for `rows` (source row indices) and capacity `cap`. */
  private relayout(rows: readonly number[], cap: number): void {
    const hd = this.headDim;
    const kvH = this.kvHeads;
    const n = this.nFilled * hd;
    const move = (buf: Float32Array) => {
      const out = new Float32Array(rows.length * kvH * cap * hd);
      rows.forEach((r, i) => {
        for (let h = 0; h < kvH; h++) {
          const from = (r * kvH + h) * this.cap * hd;
          out.set(buf.subarray(from, from + n), (i * kvH + h) * cap * hd);
        }
      });
      return out;
    };
    this.keys = this.keys.map(move);
    this.values = this.values.map(move);
    const valid = new Uint8Array(rows.length * cap);
    rows.forEach((r, i) => {
      valid.set(this.valid.subarray(r * this.cap, r * this.cap + this.nFilled), i * cap);
    });
    this.valid = valid;
    this.nRows = rows.length;
    this.cap = cap;
  }

  /**
   * Appends the new slots of a graph's kv.<l>.key / kv.<l>.value outputs, each
   * (srcRows, kvHeads, slots, headDim). Cache row r takes source row `srcRows[r]` (omit for the
   * identity), which replicates a prompt prefilled once into its G samples. `slotMask`
   * (srcRows, slots) marks padding slots with 0 (default: all real).
   */
  append(out: Record<string, Tensor>, srcRows?: readonly number[], slotMask?: ArrayLike<number>): void {
    const first = out['kv.0.key'];
    if (!first) throw new ModelError(BAD_INPUT, 'kv.0.key', 'graph outputs hold no kv.<layer>.key');
    const inRows = first.dims[0]!;
    const slots = first.dims[2]!;
    const src = srcRows ?? Array.from({ length: inRows }, (_, i) => i);
    if (src.length !== this.nRows || src.some((r) => !(r >= 0 && r < inRows)))
      throw new ModelError(BAD_INPUT, 'srcRows', `need ${this.nRows} source rows in [0, ${inRows})`);
    const need = this.nFilled + slots;
    if (need > this.maxCapacity)
      throw new ModelError(
        BAD_INPUT,
        'slots',
        `appending ${slots} slots to ${this.nFilled} exceeds the cache capacity ${this.maxCapacity}`,
      );
    if (need > this.cap) {
      this.relayout(
        Array.from({ length: this.nRows }, (_, i) => i),
        Math.min(this.maxCapacity, Math.max(need, this.cap + Math.max(32, this.cap >> 2))),
      );
    }
    const hd = this.headDim;
    const kvH = this.kvHeads;
    const block = slots * hd;
    for (let l = 0; l < this.layers; l++) {
      const pairs = [
        [out[`kv.${l}.key`]!.data as Float32Array, this.keys[l]!],
        [out[`kv.${l}.value`]!.data as Float32Array, this.values[l]!],
      ] as const;
      for (const [from, to] of pairs) {
        for (let r = 0; r < src.length; r++) {
          const s = src[r]!;
          for (let h = 0; h < kvH; h++) {
            // A plain loop: a decode step appends blocks of headDim values, too short for subarray + set.
            const at = (s * kvH + h) * block;
            const dst = ((r * kvH + h) * this.cap + this.nFilled) * hd;
            for (let k = 0; k < block; k++) to[dst + k] = from[at + k]!;
          }
        }
      }
    }
    src.forEach((s, r) => {
      for (let t = 0; t < slots; t++)
        this.valid[r * this.cap + this.nFilled + t] = slotMask ? (slotMask[s * slots + t] ? 1 : 0) : 1;
    });
    this.nFilled = need;
  }

  /**
   * Keeps only `rows` (cache row indices); the others are dropped. Rows kept in increasing order
   * (finished sequences leaving a batch) are moved down in place, without new buffers.
   */
  keepRows(rows: readonly number[]): void {
    if (rows.length === 0) throw new ModelError(BAD_INPUT, 'rows', 'keepRows needs at least one row');
    if (rows.some((r, i) => !(r >= 0 && r < this.nRows) || (i > 0 && r <= rows[i - 1]!))) {
      this.relayout(rows, this.cap);
      return;
    }
    const rowSize = this.kvHeads * this.cap * this.headDim;
    for (const buf of [...this.keys, ...this.values]) {
      rows.forEach((r, i) => {
        if (r !== i) buf.copyWithin(i * rowSize, r * rowSize, (r + 1) * rowSize);
      });
    }
    rows.forEach((r, i) => {
      if (r !== i) this.valid.copyWithin(i * this.cap, r * this.cap, (r + 1) * this.cap);
    });
    this.nRows = rows.length;
  }

  /**
   * A copy of cache row `row` as a one-row cache holding only its written slots: a sequence
   * parked while it waits (a tool call) leaves the batch and comes back with `concat`.
   */
  extractRow(row: number): HostKvCache {
    if (!(Number.isInteger(row) && row >= 0 && row < this.nRows))
      throw new ModelError(BAD_INPUT, 'row', `row ${row} is outside [0, ${this.nRows})`);
    const out = Object.create(HostKvCache.prototype) as HostKvCache;
    // Only the written slots move, packed to the front: unwritten slots carry nothing and
    // attention order among cached keys does not matter (positions come from RoPE).
    const slots: number[] = [];
    for (let t = 0; t < this.nFilled; t++) if (this.valid[row * this.cap + t]) slots.push(t);
    const cap = Math.max(1, slots.length);
    const hd = this.headDim;
    const kvH = this.kvHeads;
    const copy = (buf: Float32Array) => {
      const o = new Float32Array(kvH * cap * hd);
      for (let h = 0; h < kvH; h++) {
        const from = (row * kvH + h) * this.cap * hd;
        slots.forEach((t, k) => {
          o.set(buf.subarray(from + t * hd, from + (t + 1) * hd), (h * cap + k) * hd);
        });
      }
      return o;
    };
    const valid = new Uint8Array(cap);
    valid.fill(1, 0, slots.length);
    Object.assign(out, {
      layers: this.layers,
      maxCapacity: this.maxCapacity,
      kvHeads: kvH,
      headDim: hd,
      keys: this.keys.map(copy),
      values: this.values.map(copy),
      valid,
      nRows: 1,
      cap,
      nFilled: slots.length,
    });
    return out;
  }

  /**
   * One cache holding the rows of `parts` in order. Slot counts may differ: each row keeps its
   * written slots at the start and the rest is marked unwritten (positions come from RoPE, not
   * from slots, so where a row's slots lie does not change its attention).
   */
  static concat(parts: readonly HostKvCache[], extraSlots = 32): HostKvCache {
    if (parts.length === 0) throw new ModelError(BAD_INPUT, 'parts', 'concat needs at least one cache');
    const first = parts[0]!;
    const filled = Math.max(...parts.map((p) => p.nFilled));
    const rows = parts.reduce((n, p) => n + p.nRows, 0);
    const maxCap = Math.max(...parts.map((p) => p.maxCapacity));
    const cap = Math.min(maxCap, Math.max(filled + extraSlots, filled));
    const out = Object.create(HostKvCache.prototype) as HostKvCache;
    const hd = first.headDim;
    const kvH = first.kvHeads;
    const keys = Array.from({ length: first.layers }, () => new Float32Array(rows * kvH * cap * hd));
    const values = Array.from({ length: first.layers }, () => new Float32Array(rows * kvH * cap * hd));
    const valid = new Uint8Array(rows * cap);
    let at = 0;
    for (const p of parts) {
      for (let r = 0; r < p.nRows; r++, at++) {
        for (let l = 0; l < first.layers; l++) {
          for (let h = 0; h < kvH; h++) {
            const from = (r * kvH + h) * p.cap * hd;
            const to = (at * kvH + h) * cap * hd;
            keys[l]!.set(p.keys[l]!.subarray(from, from + p.nFilled * hd), to);
            values[l]!.set(p.values[l]!.subarray(from, from + p.nFilled * hd), to);
          }
        }
        valid.set(p.valid.subarray(r * p.cap, r * p.cap + p.nFilled), at * cap);
      }
    }
    Object.assign(out, {
      layers: first.layers,
      maxCapacity: maxCap,
      kvHeads: kvH,
      headDim: hd,
      keys,
      values,
      valid,
      nRows: rows,
      cap,
      nFilled: filled,
    });
    return out;
  }

  /**
   * Feeds for a decode step of `newSlots` tokens per row: past.<l>.key / past.<l>.value (the
   * whole buffers, (rows, kvHeads, capacity, headDim)) and attention_mask
   * (rows, capacity + newSlots): written slots as recorded, unwritten ones 0, new slots 1
   * (or as `newMask` (rows, newSlots) says: rows feeding fewer tokens than `newSlots` pad the rest).
   */
  feeds(newSlots: number, newMask?: ArrayLike<number>): Record<string, Tensor> {
    const dims = [this.nRows, this.kvHeads, this.cap, this.headDim];
    // Rows dropped in place leave unused space at the end of the buffers: feed the used part.
    const used = this.nRows * this.kvHeads * this.cap * this.headDim;
    const out: Record<string, Tensor> = {};
    for (let l = 0; l < this.layers; l++) {
      out[`past.${l}.key`] = tensor('float32', this.keys[l]!.subarray(0, used), dims);
      out[`past.${l}.value`] = tensor('float32', this.values[l]!.subarray(0, used), dims);
    }
    const total = this.cap + newSlots;
    const mask = new Uint8Array(this.nRows * total);
    for (let r = 0; r < this.nRows; r++) {
      mask.set(this.valid.subarray(r * this.cap, r * this.cap + this.nFilled), r * total);
      if (newMask)
        for (let t = 0; t < newSlots; t++) mask[r * total + this.cap + t] = newMask[r * newSlots + t] ? 1 : 0;
      else mask.fill(1, r * total + this.cap, (r + 1) * total);
    }
    out.attention_mask = int64Tensor(mask, [this.nRows, total]);
    return out;
  }
}
