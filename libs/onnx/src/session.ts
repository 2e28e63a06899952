import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import ort from 'onnxruntime-node';
import { BAD_MODEL, BAD_OPTION, EP_UNAVAILABLE, OnnxError, RUN_FAILED } from './errors.js';
import type { Tensor } from './tensor.js';

/** Execution providers we know how to select. */
export type ExecutionProvider = 'cpu' | 'cuda' | 'webgpu';
const PROVIDERS: readonly ExecutionProvider[] = ['cpu', 'cuda', 'webgpu'];

export interface SessionOptions {
  /** Default `cpu`. `cuda` needs the CUDA binaries (install with `ONNXRUNTIME_NODE_INSTALL=cuda12`). */
  executionProvider?: ExecutionProvider;
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
        "onnxruntime-node` (needs CUDA 12 and cuDNN 9), or use 'cpu'",
    );
  }
  return ep as ExecutionProvider;
}

/** A loaded model. Only this package touches ORT; callers see feeds and fetches by name. */
export class OnnxSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly executionProvider: ExecutionProvider;
  private readonly inner: ort.InferenceSession;

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
    try {
      return new OnnxSession(await ort.InferenceSession.create(model, opts), ep);
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      if (ep !== 'cpu') {
        throw new OnnxError(
          EP_UNAVAILABLE,
          'executionProvider',
          `execution provider '${ep}' could not start (${msg}); it needs a supported GPU and drivers, or use 'cpu'`,
          { cause: err },
        );
      }
      throw new OnnxError(BAD_MODEL, 'model', `ORT rejected the model: ${msg}`, { cause: err });
    }
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
    await this.inner.release();
  }
}

/** Shorthand for `OnnxSession.create`. */
export function createSession(model: Uint8Array, options?: SessionOptions): Promise<OnnxSession> {
  return OnnxSession.create(model, options);
}
