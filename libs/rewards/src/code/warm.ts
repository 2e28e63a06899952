import { getSandboxPool } from '@grpo/sandbox';

/**
 * Starts the shared sandbox pool and waits until its workers are ready. Forking the workers
 * takes a second or more, so a service that serves `code` calls this at startup; otherwise
 * the first request pays for it inside its time budget.
 */
export async function warmCodeSandbox(): Promise<void> {
  await getSandboxPool().ready();
}
