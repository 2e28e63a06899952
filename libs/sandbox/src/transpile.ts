import { transform } from 'esbuild';

export type TranspileResult = { ok: true; code: string } | { ok: false; message: string };

/**
 * TypeScript to JavaScript with esbuild (types stripped, no type checking, as `tsx` and
 * `node --experimental-strip-types` do). Output is CommonJS so `import`/`export` become
 * `require`/`module.exports`, which the sandbox provides; the target stays ES2022 so the
 * code that runs is close to what was written.
 */
export async function transpileTypeScript(source: string): Promise<TranspileResult> {
  try {
    const out = await transform(source, {
      loader: 'ts',
      format: 'cjs',
      target: 'es2022',
      sourcefile: 'main.ts',
    });
    return { ok: true, code: out.code };
  } catch (e) {
    const errors = (e as { errors?: { text: string; location?: { line: number; column: number } | null }[] })
      .errors;
    const first = errors?.[0];
    const where = first?.location ? ` (main.ts:${first.location.line}:${first.location.column})` : '';
    return { ok: false, message: first ? `${first.text}${where}` : String(e) };
  }
}
