import fs from 'node:fs/promises';
import path from 'node:path';
import { BAD_INPUT, BAD_SAFETENSORS, MISSING_FILE, ModelError } from './errors.js';

/**
 * safetensors reader/writer (https://github.com/huggingface/safetensors, format section):
 * an 8-byte little-endian u64 header length N, N bytes of JSON
 * `{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {...}}`, then the raw
 * little-endian data, offsets relative to the end of the header.
 * Floating tensors (F32, F16, BF16, F64) load as Float32Array; I64 as BigInt64Array; I32 as Int32Array.
 */

/** dtypes written by this package. */
export type WriteDtype = 'F32' | 'F16' | 'BF16';

export interface Tensor {
  /** Row-major shape, e.g. [out, in] for a Linear weight. */
  readonly shape: readonly number[];
  readonly data: Float32Array | BigInt64Array | Int32Array;
}

/** A float tensor, the only kind the model uses. */
export interface FloatTensor extends Tensor {
  readonly data: Float32Array;
}

export type TensorMap = Map<string, Tensor>;

/** Largest header accepted, as the reference implementation (100 MB): a guard against garbage lengths. */
export const MAX_HEADER_BYTES = 100_000_000;
/** Default shard size when writing: checkpoints above it are split with an index (HF's default is 5 GB; we keep shards loadable as one Buffer). */
export const DEFAULT_MAX_SHARD_BYTES = 2 * 1024 ** 3 - 1;
export const SINGLE_FILE = 'model.safetensors';
export const INDEX_FILE = 'model.safetensors.index.json';

const BYTES: Record<string, number> = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4 };

interface HeaderEntry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

function err(file: string, message: string): ModelError {
  return new ModelError(BAD_SAFETENSORS, file, message);
}

function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** IEEE half → float. */
function f16ToF32(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? Number.NaN : s * Number.POSITIVE_INFINITY;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** float → IEEE half, round to nearest even (as torch's `.half()`). */
function f32ToF16(x: number): number {
  f32[0] = x;
  const b = u32[0];
  const sign = (b >>> 16) & 0x8000;
  const exp = (b >>> 23) & 0xff;
  let mant = b & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    let r = mant >> shift;
    const rem = mant & ((1 << shift) - 1);
    if (rem > half || (rem === half && r & 1)) r++;
    return sign | r;
  }
  let r = mant >> 13;
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && r & 1)) {
    r++;
    if (r === 0x400) {
      r = 0;
      e++;
      if (e >= 31) return sign | 0x7c00;
    }
  }
  return sign | (e << 10) | r;
}

/** float → bfloat16 bits, round to nearest even (as torch's `.bfloat16()`). */
function f32ToBf16(x: number): number {
  f32[0] = x;
  const b = u32[0];
  if ((b & 0x7fffffff) > 0x7f800000) return ((b >>> 16) | 0x40) & 0xffff;
  return ((b + 0x7fff + ((b >>> 16) & 1)) >>> 16) & 0xffff;
}

function decode(file: string, name: string, dtype: string, bytes: Uint8Array, n: number): Tensor['data'] {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (dtype) {
    case 'F32': {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = dv.getFloat32(i * 4, true);
      return out;
    }
    case 'F64': {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = dv.getFloat64(i * 8, true);
      return out;
    }
    case 'F16': {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = f16ToF32(dv.getUint16(i * 2, true));
      return out;
    }
    case 'BF16': {
      const out = new Float32Array(n);
      const o32 = new Uint32Array(out.buffer);
      for (let i = 0; i < n; i++) o32[i] = dv.getUint16(i * 2, true) << 16;
      return out;
    }
    case 'I64': {
      const out = new BigInt64Array(n);
      for (let i = 0; i < n; i++) out[i] = dv.getBigInt64(i * 8, true);
      return out;
    }
    case 'I32': {
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) out[i] = dv.getInt32(i * 4, true);
      return out;
    }
    default:
      throw err(
        `${file}:${name}`,
        `dtype ${dtype} of tensor ${name} is not supported; supported: ${Object.keys(BYTES).join(', ')}`,
      );
  }
}

function parseHeader(file: string, json: string, dataBytes: number): Map<string, HeaderEntry> {
  let header: unknown;
  try {
    header = JSON.parse(json);
  } catch {
    throw err(file, 'header is not valid JSON');
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header))
    throw err(file, 'header must be a JSON object');
  const out = new Map<string, HeaderEntry>();
  const spans: [number, number, string][] = [];
  for (const [name, v] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') continue;
    const e = v as Partial<HeaderEntry>;
    const where = `${file}:${name}`;
    if (typeof e !== 'object' || e === null) throw err(where, `entry ${name} must be an object`);
    if (typeof e.dtype !== 'string' || !(e.dtype in BYTES))
      throw err(
        where,
        `tensor ${name} has unsupported dtype ${String(e.dtype)}; supported: ${Object.keys(BYTES).join(', ')}`,
      );
    if (!Array.isArray(e.shape) || !e.shape.every((d) => Number.isInteger(d) && d >= 0))
      throw err(where, `tensor ${name} has an invalid shape`);
    const off = e.data_offsets;
    if (
      !Array.isArray(off) ||
      off.length !== 2 ||
      !off.every((o) => Number.isInteger(o) && o >= 0) ||
      off[1] < off[0]
    ) {
      throw err(where, `tensor ${name} has invalid data_offsets`);
    }
    if (off[1] - off[0] !== numel(e.shape) * BYTES[e.dtype])
      throw err(
        where,
        `tensor ${name}: data_offsets span ${off[1] - off[0]} bytes but shape ${JSON.stringify(e.shape)} of ${e.dtype} needs ${numel(e.shape) * BYTES[e.dtype]}`,
      );
    if (off[1] > dataBytes)
      throw err(where, `tensor ${name} ends at byte ${off[1]} past the data (${dataBytes} bytes)`);
    spans.push([off[0], off[1], name]);
    out.set(name, e as HeaderEntry);
  }
  spans.sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < spans.length; i++) {
    if (spans[i][0] < spans[i - 1][1])
      throw err(`${file}:${spans[i][2]}`, `tensor ${spans[i][2]} overlaps ${spans[i - 1][2]}`);
  }
  return out;
}

/** Reads one .safetensors file tensor by tensor (files larger than 2 GB are fine). */
export async function readSafetensors(file: string): Promise<TensorMap> {
  let fh: fs.FileHandle;
  try {
    fh = await fs.open(file, 'r');
  } catch (e) {
    throw new ModelError(MISSING_FILE, file, `cannot open ${file}: ${(e as Error).message}`);
  }
  try {
    const size = (await fh.stat()).size;
    const name = path.basename(file);
    if (size < 8) throw err(name, `file is ${size} bytes, too short for a safetensors header`);
    const lenBuf = Buffer.alloc(8);
    await fh.read(lenBuf, 0, 8, 0);
    const headerLen = Number(lenBuf.readBigUInt64LE(0));
    if (headerLen > MAX_HEADER_BYTES || 8 + headerLen > size)
      throw err(
        name,
        `header length ${headerLen} is invalid for a ${size}-byte file (max ${MAX_HEADER_BYTES})`,
      );
    const hbuf = Buffer.alloc(headerLen);
    await fh.read(hbuf, 0, headerLen, 8);
    const dataStart = 8 + headerLen;
    const entries = parseHeader(name, hbuf.toString('utf8'), size - dataStart);
    const out: TensorMap = new Map();
    for (const [tname, e] of entries) {
      const nbytes = e.data_offsets[1] - e.data_offsets[0];
      const bytes = new Uint8Array(nbytes);
      let done = 0;
      while (done < nbytes) {
        const chunk = Math.min(nbytes - done, 1 << 30);
        const { bytesRead } = await fh.read(bytes, done, chunk, dataStart + e.data_offsets[0] + done);
        if (bytesRead === 0) throw err(`${name}:${tname}`, `unexpected end of file reading ${tname}`);
        done += bytesRead;
      }
      out.set(tname, {
        shape: Object.freeze([...e.shape]),
        data: decode(name, tname, e.dtype, bytes, numel(e.shape)),
      });
    }
    return out;
  } finally {
    await fh.close();
  }
}

function encode(name: string, t: Tensor, dtype: WriteDtype): { dtype: string; bytes: Uint8Array } {
  const n = numel(t.shape);
  if (t.data.length !== n)
    throw new ModelError(
      BAD_INPUT,
      name,
      `tensor ${name} has ${t.data.length} elements but shape ${JSON.stringify(t.shape)} needs ${n}`,
    );
  if (t.data instanceof BigInt64Array) {
    const b = new Uint8Array(n * 8);
    const dv = new DataView(b.buffer);
    for (let i = 0; i < n; i++) dv.setBigInt64(i * 8, t.data[i], true);
    return { dtype: 'I64', bytes: b };
  }
  if (t.data instanceof Int32Array) {
    const b = new Uint8Array(n * 4);
    const dv = new DataView(b.buffer);
    for (let i = 0; i < n; i++) dv.setInt32(i * 4, t.data[i], true);
    return { dtype: 'I32', bytes: b };
  }
  const src = t.data;
  if (dtype === 'F32') {
    const b = new Uint8Array(n * 4);
    const dv = new DataView(b.buffer);
    for (let i = 0; i < n; i++) dv.setFloat32(i * 4, src[i], true);
    return { dtype, bytes: b };
  }
  const b = new Uint8Array(n * 2);
  const dv = new DataView(b.buffer);
  const conv = dtype === 'F16' ? f32ToF16 : f32ToBf16;
  for (let i = 0; i < n; i++) dv.setUint16(i * 2, conv(src[i]), true);
  return { dtype, bytes: b };
}

/** Writes tensors (sorted by name) to one .safetensors file with `{"format": "pt"}` metadata. Returns the data size in bytes. */
export async function writeSafetensors(
  file: string,
  tensors: TensorMap,
  opts: { dtype?: WriteDtype; metadata?: Record<string, string> } = {},
): Promise<number> {
  const dtype = opts.dtype ?? 'F32';
  const names = [...tensors.keys()].sort();
  const header: Record<string, unknown> = { __metadata__: { format: 'pt', ...opts.metadata } };
  const blobs: Uint8Array[] = [];
  let offset = 0;
  for (const name of names) {
    const t = tensors.get(name) as Tensor;
    const { dtype: dt, bytes } = encode(name, t, dtype);
    header[name] = { dtype: dt, shape: [...t.shape], data_offsets: [offset, offset + bytes.length] };
    blobs.push(bytes);
    offset += bytes.length;
  }
  let json = JSON.stringify(header);
  // Pad with spaces so the data starts 8-byte aligned, as the reference writer does.
  const pad = (8 - ((8 + Buffer.byteLength(json)) % 8)) % 8;
  json += ' '.repeat(pad);
  const hbytes = Buffer.from(json, 'utf8');
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(hbytes.length));
  const fh = await fs.open(file, 'w');
  try {
    await fh.write(len);
    await fh.write(hbytes);
    for (const b of blobs) await fh.write(b);
  } finally {
    await fh.close();
  }
  return offset;
}

function bytesOf(t: Tensor, dtype: WriteDtype): number {
  if (t.data instanceof BigInt64Array) return t.data.length * 8;
  if (t.data instanceof Int32Array) return t.data.length * 4;
  return t.data.length * (dtype === 'F32' ? 4 : 2);
}

export interface SaveWeightsOptions {
  /** Storage dtype of float tensors; default F32. */
  dtype?: WriteDtype;
  /** Split into `model-0000i-of-0000n.safetensors` + index when the data exceeds this many bytes; default {@link DEFAULT_MAX_SHARD_BYTES}. */
  maxShardBytes?: number;
}

/**
 * Writes a checkpoint into a folder the HF way: `model.safetensors`, or shards plus
 * `model.safetensors.index.json` (`{metadata: {total_size}, weight_map}`) above `maxShardBytes`.
 * Returns the file names written.
 */
export async function saveWeights(
  dir: string,
  tensors: TensorMap,
  opts: SaveWeightsOptions = {},
): Promise<string[]> {
  const dtype = opts.dtype ?? 'F32';
  const max = opts.maxShardBytes ?? DEFAULT_MAX_SHARD_BYTES;
  if (!(max > 0)) throw new ModelError(BAD_INPUT, 'maxShardBytes', 'maxShardBytes must be positive');
  await fs.mkdir(dir, { recursive: true });
  const names = [...tensors.keys()].sort();
  let total = 0;
  for (const n of names) total += bytesOf(tensors.get(n) as Tensor, dtype);
  // Remove files of an earlier save so a folder never holds both layouts.
  for (const f of await fs.readdir(dir)) {
    if (f === SINGLE_FILE || f === INDEX_FILE || /^model-\d{5}-of-\d{5}\.safetensors$/.test(f))
      await fs.rm(path.join(dir, f));
  }
  if (total <= max) {
    await writeSafetensors(path.join(dir, SINGLE_FILE), tensors, { dtype });
    return [SINGLE_FILE];
  }
  const shards: string[][] = [[]];
  let cur = 0;
  for (const n of names) {
    const b = bytesOf(tensors.get(n) as Tensor, dtype);
    if (cur > 0 && cur + b > max) {
      shards.push([]);
      cur = 0;
    }
    shards[shards.length - 1].push(n);
    cur += b;
  }
  const files: string[] = [];
  const weightMap: Record<string, string> = {};
  const pad = (i: number) => String(i).padStart(5, '0');
  for (let i = 0; i < shards.length; i++) {
    const file = `model-${pad(i + 1)}-of-${pad(shards.length)}.safetensors`;
    const part: TensorMap = new Map(shards[i].map((n) => [n, tensors.get(n) as Tensor]));
    await writeSafetensors(path.join(dir, file), part, { dtype });
    for (const n of shards[i]) weightMap[n] = file;
    files.push(file);
  }
  await fs.writeFile(
    path.join(dir, INDEX_FILE),
    `${JSON.stringify({ metadata: { total_size: total }, weight_map: weightMap }, null, 2)}\n`,
  );
  return [...files, INDEX_FILE];
}

async function exists(p: string): Promise<boolean> {
  try {
    await fs.access(p);
    return true;
  } catch {
    return false;
  }
}

/** Reads a folder's weights: `model.safetensors.index.json` + shards when present, else `model.safetensors`. */
export async function loadWeights(dir: string): Promise<TensorMap> {
  const indexPath = path.join(dir, INDEX_FILE);
  if (await exists(indexPath)) {
    let index: { weight_map?: Record<string, string> };
    try {
      index = JSON.parse(await fs.readFile(indexPath, 'utf8'));
    } catch {
      throw err(INDEX_FILE, `cannot parse ${INDEX_FILE}: not readable JSON`);
    }
    const map = index.weight_map;
    if (!map || typeof map !== 'object')
      throw err(`${INDEX_FILE}:weight_map`, `${INDEX_FILE} has no weight_map object`);
    const out: TensorMap = new Map();
    for (const file of new Set(Object.values(map))) {
      if (typeof file !== 'string' || file.includes('/') || file.includes('\\'))
        throw err(`${INDEX_FILE}:weight_map`, `invalid shard name ${String(file)}`);
      const part = await readSafetensors(path.join(dir, file));
      for (const [n, t] of part) if (map[n] === file) out.set(n, t);
    }
    for (const [n, file] of Object.entries(map)) {
      if (!out.has(n)) throw err(`${file}:${n}`, `index maps ${n} to ${file}, which does not hold it`);
    }
    return out;
  }
  const single = path.join(dir, SINGLE_FILE);
  if (!(await exists(single)))
    throw new ModelError(MISSING_FILE, single, `neither ${SINGLE_FILE} nor ${INDEX_FILE} found in ${dir}`);
  return readSafetensors(single);
}
