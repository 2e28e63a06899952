import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import ort from 'onnxruntime-node';
import { BAD_MODEL, BAD_OPTION, BAD_TENSOR, EP_UNAVAILABLE, OnnxError, RUN_FAILED } from './errors.js';
import type { DType } from './proto.js';
import type { Tensor } from './tensor.js';
import { checkVulkanLoader, identityModel, webgpuStartError } from './webgpu.js';

/** Execution providers we know how to select. */
export type ExecutionProvider = 'cpu' | 'cuda' | 'webgpu';
const PROVIDERS: readonly ExecutionProvider[] = ['cpu', 'cuda', 'webgpu'];

export interface SessionOptions {
  /**
   * Default `cpu`. `webgpu`: Dawn on Vulkan, bundled with onnxruntime-node on linux-x64 (needs
   * libvulkan1 and a Vulkan driver, see webgpu.ts). `cuda`: needs the CUDA provider libraries
   * (`ONNXRUNTIME_NODE_INSTALL=cuda12`, a CUDA 13 build since ORT 1.27) and a CUDA 13 runtime.
   */
  executionProvider?: ExecutionProvider;
  /**
   * webgpu only: outputs that stay on the device (`gpu-buffer` tensors) instead of being copied
   * to the host, by name, or `all`. Such a tensor can be fed to the same or another session of
   * the same process without a copy; read it with `OnnxSession.download` (never `getData()`,
   * which aborts the process in onnxruntime-node 1.31) and free it with `disposeTensor`.
   * Ignored by the other providers (their outputs are always on the host).
   */
  deviceOutputs?: readonly string[] | 'all';
  /** Threads inside one op (GEMM etc.). Default: the number of CPU cores. Range 1..1024. */
  intraOpNumThreads?: number;
  /**
   * Whether idle intra-op threads spin-wait for the next op (ORT's default, true). False frees
   * the core between ops: better when another process shares the cores (a trainer next to its
   * rollout service), a little slower alone.
   */
  allowSpinning?: boolean;
  /** Threads across independent ops. Default 1 (sequential execution). Range 1..1024. */
  interOpNumThreads?: number;
  /** ORT graph optimizations; default `all` (fusions such as Transpose+MatMul -> FusedMatMul). */
  graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
  /** Writes a Chrome-trace JSON profile (see `OnnxSession.endProfiling`). Default false. */
  enableProfiling?: boolean;
  /** Path prefix of the profile file; default `<os.tmpdir()>/grpo_ort_profile` (ORT appends a timestamp). */
  profileFilePrefix?: string;
  /** Fixed sizes for symbolic dims, e.g. `{ batch: 4 }`; lets ORT plan memory statically. */
  freeDimensionOverrides?: Record<string, number>;
  /** ORT log severity: 0 verbose .. 4 fatal. Default 3 (errors only). */
  logSeverityLevel?: 0 | 1 | 2 | 3 | 4;
}

const require = createRequire(import.meta.url);

/** Whether onnxruntime-node's CUDA provider library is installed next to its binding. */
function cudaInstalled(): boolean {
  try {
    const pkgDir = path.dirname(require.resolve('onnxruntime-node/package.json'));
    const binDir = path.join(pkgDir, 'bin', 'napi-v6', process.platform, process.arch);
    return fs.readdirSync(binDir).some((f) => f.includes('providers_cuda'));
  } catch {
    return false;
  }
}

function checkThreads(v: number | undefined, field: string): void {
  if (v === undefined) return;
  if (!Number.isInteger(v) || v < 1 || v > 1024) {
    throw new OnnxError(BAD_OPTION, field, `${field} must be an integer in 1..1024, got ${v}`);
  }
}

/**
 * Validates the chosen execution provider before ORT sees it, so a missing GPU build fails
 * with a clear `GRPO_ONNX_EP_UNAVAILABLE` naming what to install.
 */
export function checkExecutionProvider(ep: string): ExecutionProvider {
  if (!PROVIDERS.includes(ep as ExecutionProvider)) {
    throw new OnnxError(
      BAD_OPTION,
      'executionProvider',
      `executionProvider must be one of ${PROVIDERS.join(', ')}, got '${ep}'`,
    );
  }
  const listed = ort.listSupportedBackends().find((b) => b.name === ep);
  if (!listed) {
    throw new OnnxError(
      EP_UNAVAILABLE,
      'executionProvider',
      `this onnxruntime-node build has no '${ep}' provider`,
    );
  }
  if (ep === 'cuda' && !cudaInstalled()) {
    throw new OnnxError(
      EP_UNAVAILABLE,
      'executionProvider',
      "execution provider 'cuda' is not installed: reinstall with `ONNXRUNTIME_NODE_INSTALL=cuda12 npm install " +
        'onnxruntime-node --foreground-scripts` (the flag keeps its old name; since ORT 1.27 it downloads a ' +
        'CUDA 13 build from NuGet, so it needs network access to api.nuget.org) and put a CUDA 13 runtime with ' +
        'cuDNN 9 on LD_LIBRARY_PATH (e.g. the nvidia/*/lib folders of a CUDA 13 PyTorch wheel); or use ' +
        "'webgpu' (no download, needs libvulkan1 and a Vulkan driver) or 'cpu'",
    );
  }
  if (ep === 'webgpu') checkVulkanLoader();
  return ep as ExecutionProvider;
}

/** A loaded model. Only this package touches ORT; callers see feeds and fetches by name. */
export class OnnxSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly executionProvider: ExecutionProvider;
  private readonly inner: ort.InferenceSession;
  /** Identity sessions that read device tensors back, by `dtype/rank`. */
  private readonly readers = new Map<string, ort.InferenceSession>();

  private constructor(inner: ort.InferenceSession, ep: ExecutionProvider) {
    this.inner = inner;
    this.inputNames = inner.inputNames;
    this.outputNames = inner.outputNames;
    this.executionProvider = ep;
  }

  /** Creates a session from in-memory ONNX bytes. */
  static async create(model: Uint8Array, options: SessionOptions = {}): Promise<OnnxSession> {
    const ep = checkExecutionProvider(options.executionProvider ?? 'cpu');
    checkThreads(options.intraOpNumThreads, 'intraOpNumThreads');
    checkThreads(options.interOpNumThreads, 'interOpNumThreads');
    const opts: ort.InferenceSession.SessionOptions = {
      executionProviders: [ep],
      intraOpNumThreads: options.intraOpNumThreads ?? os.availableParallelism(),
      interOpNumThreads: options.interOpNumThreads ?? 1,
      executionMode: 'sequential',
      graphOptimizationLevel: options.graphOptimizationLevel ?? 'all',
      enableProfiling: options.enableProfiling ?? false,
      profileFilePrefix: options.profileFilePrefix ?? path.join(os.tmpdir(), 'grpo_ort_profile'),
      logSeverityLevel: options.logSeverityLevel ?? 3,
    };
    if (options.freeDimensionOverrides) opts.freeDimensionOverrides = options.freeDimensionOverrides;
    if (options.allowSpinning === false) opts.extra = { session: { intra_op: { allow_spinning: '0' } } };
    const device = options.deviceOutputs;
    if (ep === 'webgpu' && device !== undefined) {
      opts.preferredOutputLocation =
        device === 'all' ? 'gpu-buffer' : Object.fromEntries(device.map((n) => [n, 'gpu-buffer' as const]));
    }
    let inner: ort.InferenceSession;
    try {
      inner = await ort.InferenceSession.create(model, opts);
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      if (/is not a valid output name/.test(msg)) {
        throw new OnnxError(
          BAD_OPTION,
          'deviceOutputs',
          `deviceOutputs names no output of the model: ${msg}`,
          {
            cause: err,
          },
        );
      }
      if (ep === 'webgpu' && /webgpu|adapter|dawn|vulkan/i.test(msg)) throw webgpuStartError(err);
      if (ep === 'cuda') {
        throw new OnnxError(
          EP_UNAVAILABLE,
          'executionProvider',
          `execution provider 'cuda' could not start (${msg}); it needs an NVIDIA GPU, its driver and a CUDA 13 ` +
            "runtime with cuDNN 9 on LD_LIBRARY_PATH; or use 'webgpu' or 'cpu'",
          { cause: err },
        );
      }
      throw new OnnxError(BAD_MODEL, 'model', `ORT rejected the model: ${msg}`, { cause: err });
    }
    return new OnnxSession(inner, ep);
  }

  /**
   * Copies tensors to the host: host tensors are returned as they are, device (`gpu-buffer`)
   * tensors are read back through a one-node Identity session whose output is on the host
   * (cached per dtype and rank). The device tensors stay valid.
   */
  async download(tensors: Record<string, Tensor>): Promise<Record<string, Tensor>> {
    const out: Record<string, Tensor> = {};
    for (const [name, t] of Object.entries(tensors)) {
      if (!isDeviceTensor(t)) {
        out[name] = t;
        continue;
      }
      const key = `${t.type}/${t.dims.length}`;
      let s = this.readers.get(key);
      if (!s) {
        s = await ort.InferenceSession.create(identityModel(t.type as DType, t.dims.length), {
          executionProviders: [this.executionProvider],
          logSeverityLevel: 3,
        });
        this.readers.set(key, s);
      }
      try {
        out[name] = (await s.run({ x: t })).y as Tensor;
      } catch (err) {
        const msg = err instanceof Error ? err.message : String(err);
        throw new OnnxError(BAD_TENSOR, name, `reading device tensor '${name}' back failed: ${msg}`, {
          cause: err,
        });
      }
    }
    return out;
  }

  /** Runs the model; returns every output (or only `fetches`) by name. */
  async run(feeds: Record<string, Tensor>, fetches?: readonly string[]): Promise<Record<string, Tensor>> {
    try {
      return (await (fetches ? this.inner.run(feeds, fetches) : this.inner.run(feeds))) as Record<
        string,
        Tensor
      >;
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      throw new OnnxError(RUN_FAILED, 'feeds', `session.run failed: ${msg}`, { cause: err });
    }
  }

  /** Stops profiling; ORT writes a Chrome-trace JSON at `profileFilePrefix` + timestamp + `.json`. */
  endProfiling(): void {
    this.inner.endProfiling();
  }

  async release(): Promise<void> {
    for (const r of this.readers.values()) await r.release();
    this.readers.clear();
    await this.inner.release();
  }
}

/** Shorthand for `OnnxSession.create`. */
export function createSession(model: Uint8Array, options?: SessionOptions): Promise<OnnxSession> {
  return OnnxSession.create(model, options);
}

/** Whether a tensor lives on the device (`gpu-buffer`): its data cannot be read on the host directly. */
export function isDeviceTensor(t: Tensor): boolean {
  return t.location === 'gpu-buffer';
}

/** Frees a device tensor's buffer now instead of at garbage collection; host tensors are left alone. */
export function disposeTensor(t: Tensor | undefined): void {
  if (t && isDeviceTensor(t)) t.dispose();
}
