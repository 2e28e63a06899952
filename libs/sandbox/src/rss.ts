import fs from 'node:fs';

/**
 * Resident set size of a process in MiB, read from /proc (Linux), or null where /proc is not
 * available or the process is gone. isolated-vm's `memoryLimit` covers an isolate's heap, not
 * WebAssembly memory nor every allocation V8 makes inside one builtin call (a 1e9-slot
 * `Array.prototype.fill` grows the heap past 1 GiB before any limit check runs), so the pool
 * watches the worker process itself.
 */
export function residentMb(pid: number): number | null {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/status`, 'latin1');
  } catch {
    return null;
  }
  const m = /^VmRSS:\s+(\d+) kB/m.exec(text);
  return m ? Number(m[1]) / 1024 : null;
}

/** Whether this platform lets the pool read worker memory at all (checked once). */
export const RSS_WATCH_AVAILABLE = residentMb(process.pid) !== null;
