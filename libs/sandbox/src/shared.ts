import { SandboxPool, type SandboxPoolOptions } from './pool.js';

let shared: SandboxPool | null = null;

/**
 * The process-wide pool, created on first use (sized by GRPO_SANDBOX_WORKERS, default the
 * number of cores). Reward functions share it so a service forks its workers once.
 */
export function getSandboxPool(options?: SandboxPoolOptions): SandboxPool {
  if (!shared) shared = new SandboxPool(options);
  return shared;
}

/** Stops the shared pool's workers (services call this on shutdown). A later getSandboxPool starts a new one. */
export async function closeSandboxPool(): Promise<void> {
  const pool = shared;
  shared = null;
  await pool?.close();
}
