/**
 * A small deterministic PRNG: xoshiro128** (Blackman & Vigna 2018, "Scrambled linear
 * pseudorandom number generators"), seeded through splitmix32 from (seed, stream) so that each
 * sequence of a batch gets its own independent, reproducible stream.
 */
export interface Rng {
  /** Uniform float in [0, 1) with 53 random bits. */
  next(): number;
  /** Uniform unsigned 32-bit integer. */
  nextU32(): number;
  /** Standard normal (Box–Muller). */
  normal(): number;
}

function splitmix32(state: { s: number }): number {
  state.s = (state.s + 0x9e3779b9) | 0;
  let z = state.s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/**
 * Creates a generator for (seed, stream). `seed` and `stream` are any safe integers; the same
 * pair always yields the same numbers on every platform.
 */
export function createRng(seed: number, stream = 0): Rng {
  if (!Number.isSafeInteger(seed) || !Number.isSafeInteger(stream))
    throw new RangeError('seed and stream must be safe integers');
  const st = { s: (seed >>> 0) ^ Math.imul(Math.floor(seed / 2 ** 32) | 0, 0x27d4eb2d) };
  const s = new Uint32Array(4);
  s[0] = splitmix32(st);
  s[1] = splitmix32(st) ^ Math.imul(stream >>> 0, 0x9e3779b1);
  s[2] = splitmix32(st) ^ (Math.floor(stream / 2 ** 32) | 0);
  s[3] = splitmix32(st);
  // Mix the stream in and discard a few outputs so nearby seeds/streams decorrelate.
  const st2 = { s: s[1] ^ s[2] };
  s[1] = splitmix32(st2);
  s[2] = splitmix32(st2);
  if ((s[0] | s[1] | s[2] | s[3]) === 0) s[0] = 1;
  const rotl = (x: number, k: number) => ((x << k) | (x >>> (32 - k))) >>> 0;
  const nextU32 = (): number => {
    const result = Math.imul(rotl(Math.imul(s[1], 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1] << 9) >>> 0;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  };
  for (let i = 0; i < 4; i++) nextU32();
  const next = (): number => ((nextU32() >>> 5) * 67108864 + (nextU32() >>> 6)) / 9007199254740992;
  return {
    next,
    nextU32,
    normal: () => {
      let u = next();
      while (u === 0) u = next();
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * next());
    },
  };
}
