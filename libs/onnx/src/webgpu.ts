import fs from 'node:fs';
import path from 'node:path';
import ort from 'onnxruntime-node';
import { EP_UNAVAILABLE, OnnxError } from './errors.js';
import { type DType, encodeModel } from './proto.js';

/**
 * The WebGPU execution provider of onnxruntime-node (Dawn on Vulkan, bundled in the npm
 * package for linux-x64). It needs the Vulkan loader (`libvulkan.so.1`, Debian `libvulkan1`)
 * and a Vulkan driver: NVIDIA's driver ships one; without a GPU, Mesa's lavapipe software
 * driver (Mesa >= 25 from bookworm-backports, `scripts/install-lavapipe.sh`; bookworm's Mesa 22
 * is rejected by Dawn) works.
 */

/** What to install when the loader or an adapter is missing, quoted in every error. */
export const WEBGPU_INSTALL_HINT =
  'install the Vulkan loader (Debian/Ubuntu: libvulkan1) and a Vulkan driver: the NVIDIA driver ' +
  '(in containers: NVIDIA_DRIVER_CAPABILITIES must include graphics), or Mesa lavapipe >= 25 for a ' +
  "CPU-only machine (scripts/install-lavapipe.sh); or use executionProvider 'cpu'";

/** Directories the dynamic loader searches for libvulkan.so.1 (LD_LIBRARY_PATH first). */
function libraryDirs(): string[] {
  const fromEnv = (process.env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean);
  const arch = process.arch === 'arm64' ? 'aarch64-linux-gnu' : 'x86_64-linux-gnu';
  const system = [`/usr/lib/${arch}`, `/lib/${arch}`, '/usr/lib64', '/lib64', '/usr/lib', '/usr/local/lib'];
  let conf: string[] = [];
  try {
    // ld.so.conf.d fragments list extra directories (e.g. a vendor driver's).
    const d = '/etc/ld.so.conf.d';
    conf = fs
      .readdirSync(d)
      .flatMap((f) => fs.readFileSync(path.join(d, f), 'utf8').split('\n'))
      .map((l) => l.trim())
      .filter((l) => l.startsWith('/'));
  } catch {
    // no ld.so.conf.d: the defaults are enough
  }
  return [...fromEnv, ...conf, ...system];
}

/** Path of the Vulkan loader the process would load, or null when none is installed (Linux only). */
export function vulkanLoaderPath(): string | null {
  if (process.platform !== 'linux') return 'system';
  for (const dir of libraryDirs()) {
    const p = path.join(dir, 'libvulkan.so.1');
    if (fs.existsSync(p)) return p;
  }
  return null;
}

/** Throws GRPO_ONNX_EP_UNAVAILABLE when the Vulkan loader is missing (checked before ORT tries). */
export function checkVulkanLoader(): void {
  if (vulkanLoaderPath() === null) {
    throw new OnnxError(
      EP_UNAVAILABLE,
      'executionProvider',
      `execution provider 'webgpu' needs the Vulkan loader libvulkan.so.1, which is not installed: ${WEBGPU_INSTALL_HINT}`,
    );
  }
}

/** Rewrites ORT's session-create failure on webgpu into an error that says what to install. */
export function webgpuStartError(err: unknown): OnnxError {
  const msg = err instanceof Error ? err.message : String(err);
  const noAdapter = /adapter/i.test(msg);
  const what = noAdapter ? 'found no WebGPU adapter (no usable Vulkan driver)' : 'could not start';
  return new OnnxError(
    EP_UNAVAILABLE,
    'executionProvider',
    `execution provider 'webgpu' ${what} (${msg.split('\n')[0]}): ${WEBGPU_INSTALL_HINT}`,
    { cause: err },
  );
}

export interface WebgpuStatus {
  available: boolean;
  /** Why not, when unavailable (the GRPO_ONNX_EP_UNAVAILABLE message). */
  reason: string | null;
  /** The Vulkan loader found, if any. */
  loader: string | null;
}

let probed: Promise<WebgpuStatus> | null = null;

/**
 * Whether a WebGPU session starts on this machine: the loader is present and Dawn finds an
 * adapter (probed once per process with a one-node model, then cached).
 */
export function webgpuStatus(): Promise<WebgpuStatus> {
  probed ??= (async () => {
    const loader = vulkanLoaderPath();
    if (loader === null) {
      return { available: false, reason: `no Vulkan loader: ${WEBGPU_INSTALL_HINT}`, loader };
    }
    try {
      const s = await ort.InferenceSession.create(identityModel('float32', 1), {
        executionProviders: ['webgpu'],
        logSeverityLevel: 3,
      });
      await s.release();
      return { available: true, reason: null, loader };
    } catch (e) {
      return { available: false, reason: webgpuStartError(e).message, loader };
    }
  })();
  return probed;
}

/** A one-node Identity model for `dtype` tensors of rank `rank` (reads device tensors back). */
export function identityModel(dtype: DType, rank: number): Uint8Array {
  const shape = Array.from({ length: rank }, (_, i) => `d${i}`);
  return encodeModel({
    graphName: 'readback',
    opsets: { '': 18 },
    inputs: [{ name: 'x', dtype, shape }],
    outputs: [{ name: 'y', dtype, shape }],
    nodes: [{ opType: 'Identity', inputs: ['x'], outputs: ['y'] }],
  });
}
