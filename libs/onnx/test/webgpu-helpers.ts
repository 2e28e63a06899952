import type { TestContext } from 'node:test';
import { webgpuStatus } from '../src/index.js';

/**
 * Whether the WebGPU tests can run. Without a Vulkan adapter they skip with the reason (what
 * to install), except under CI=true: CI installs lavapipe (scripts/install-lavapipe.sh), so a
 * missing adapter there is a failure, not a skip.
 */
export async function needWebgpu(t: TestContext): Promise<boolean> {
  const s = await webgpuStatus();
  if (s.available) return true;
  if (process.env.CI === 'true')
    throw new Error(`CI=true but the webgpu provider is unavailable: ${s.reason}`);
  t.skip(`no WebGPU adapter: ${s.reason}`);
  return false;
}

/** Largest |a - b| / max(1, |b|) over two arrays of equal length. */
export function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} != ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!) / Math.max(1, Math.abs(b[i]!)));
  return m;
}
