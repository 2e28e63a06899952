import fs from 'node:fs';
import path from 'node:path';
import { FieldError } from './errors.js';

/** 403: a request names a server path that resolves (symlinks included) outside every allowed root. */
export const PATH_OUTSIDE_ROOTS = 'GRPO_PATH_OUTSIDE_ROOTS';
/** 400: a request path that is empty, too long or holds a NUL byte. */
export const PATH_INVALID = 'GRPO_PATH_INVALID';

/** Longest request path accepted (PATH_MAX on Linux). */
export const MAX_PATH_CHARS = 4096;

/**
 * Operator-configured folders a request may name paths in. `setting` names the config that
 * sets them (e.g. `GRPO_TRAINER_DATA_ROOT / --data-root`) for the 403 message; the
 * directories themselves are not echoed to the caller.
 */
export interface PathRoots {
  dirs: readonly string[];
  setting: string;
}

/** A comma-separated root list (config value) as absolute folders, resolved against `cwd`. */
export function parseRootList(list: string, cwd = process.cwd()): string[] {
  return list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => path.resolve(cwd, s));
}

/**
 * `p` with every symlink resolved: the longest existing prefix goes through realpath and the
 * rest (not created yet) is appended as is. `p` must be absolute and normalised.
 */
export function realpathLoose(p: string): string {
  let head = p;
  const tail: string[] = [];
  for (;;) {
    try {
      return path.join(fs.realpathSync.native(head), ...tail.reverse());
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // ENOENT/ENOTDIR: this part does not exist yet; anything else (EACCES, ELOOP) is refused.
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw err;
      const parent = path.dirname(head);
      if (parent === head) return path.join(head, ...tail.reverse());
      tail.push(path.basename(head));
      head = parent;
    }
  }
}

/** True when `child` is `root` or below it (both absolute, symlinks already resolved). */
export function isInside(root: string, child: string): boolean {
  const rel = path.relative(root, child);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

/**
 * Resolves a server path from a request (relative ones against `cwd`, the service's working
 * directory), follows symlinks, and returns the real absolute path when it lies inside one of
 * `roots`. Otherwise a FieldError naming `field`: 403 GRPO_PATH_OUTSIDE_ROOTS, or 400
 * GRPO_PATH_INVALID for an empty, over-long or NUL-holding path. Whether the path exists is
 * not revealed for paths outside the roots (the same 403 either way); callers check existence
 * on the returned path. A path that cannot be resolved (a symlink loop, no permission) is a 403.
 */
export function resolveInRoots(p: string, roots: PathRoots, field: string, cwd = process.cwd()): string {
  if (typeof p !== 'string' || p.length === 0 || p.length > MAX_PATH_CHARS || p.includes('\0')) {
    throw new FieldError(
      PATH_INVALID,
      400,
      field,
      `${field} must be a non-empty path of at most ${MAX_PATH_CHARS} characters without NUL bytes`,
    );
  }
  const outside = () =>
    new FieldError(
      PATH_OUTSIDE_ROOTS,
      403,
      field,
      `${field} is outside the folders this service may read or write (set by ${roots.setting})`,
    );
  let real: string;
  try {
    real = realpathLoose(path.resolve(cwd, p));
  } catch {
    throw outside();
  }
  for (const dir of roots.dirs) {
    let root: string;
    try {
      root = realpathLoose(path.resolve(cwd, dir));
    } catch {
      continue;
    }
    if (isInside(root, real)) return real;
  }
  throw outside();
}
