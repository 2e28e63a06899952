import { MAX_EXACT_BITS } from './limits.js';

/** An exact rational number n/d with d > 0 and gcd(n, d) = 1. */
export interface Rational {
  readonly n: bigint;
  readonly d: bigint;
}

function gcd(a: bigint, b: bigint): bigint {
  if (a < 0n) a = -a;
  if (b < 0n) b = -b;
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

function bits(x: bigint): number {
  return (x < 0n ? -x : x).toString(16).length * 4;
}

/** Returns null when the result would exceed MAX_EXACT_BITS, so callers fall back to floats. */
export function rat(n: bigint, d = 1n): Rational | null {
  if (d === 0n) return null;
  if (d < 0n) {
    n = -n;
    d = -d;
  }
  const g = gcd(n, d);
  if (g > 1n) {
    n /= g;
    d /= g;
  }
  if (bits(n) > MAX_EXACT_BITS || bits(d) > MAX_EXACT_BITS) return null;
  return { n, d };
}

export const ZERO: Rational = { n: 0n, d: 1n };
export const ONE: Rational = { n: 1n, d: 1n };

export const add = (a: Rational, b: Rational) => rat(a.n * b.d + b.n * a.d, a.d * b.d);
export const sub = (a: Rational, b: Rational) => rat(a.n * b.d - b.n * a.d, a.d * b.d);
export const mul = (a: Rational, b: Rational) => rat(a.n * b.n, a.d * b.d);
export const div = (a: Rational, b: Rational) => (b.n === 0n ? null : rat(a.n * b.d, a.d * b.n));
export const eq = (a: Rational, b: Rational) => a.n === b.n && a.d === b.d;
export const isInt = (a: Rational) => a.d === 1n;

/** a^k for an integer k, or null when the result would be too large. */
export function powInt(a: Rational, k: bigint): Rational | null {
  if (k === 0n) return ONE;
  if (k < 0n) {
    if (a.n === 0n) return null;
    const p = powInt(a, -k);
    return p && rat(p.d, p.n);
  }
  if (a.d === 1n && (a.n === 0n || a.n === 1n)) return a;
  if (a.d === 1n && a.n === -1n) return k % 2n === 0n ? ONE : a;
  // Estimate the result's size before computing it: 10^(10^10) must not be attempted.
  if (Math.max(bits(a.n), bits(a.d)) * Number(k) > MAX_EXACT_BITS) return null;
  return rat(a.n ** k, a.d ** k);
}

/** Parses a decimal literal such as `-12.50` or `1.5e-3` exactly. */
export function parseDecimal(s: string): Rational | null {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d{1,6}))?$/.exec(s);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return null;
  const frac = m[3] ?? '';
  let n = BigInt((m[2] || '0') + frac);
  let d = 10n ** BigInt(frac.length);
  const e = m[4] ? Number(m[4]) : 0;
  if (Math.abs(e) > 4000) return null;
  if (e > 0) n *= 10n ** BigInt(e);
  else if (e < 0) d *= 10n ** BigInt(-e);
  if (m[1] === '-') n = -n;
  return rat(n, d);
}

export function toNumber(a: Rational): number {
  const x = Number(a.n) / Number(a.d);
  if (Number.isFinite(x)) return x;
  // Both parts huge: scale down by the same power of two to keep precision.
  const shift = BigInt(Math.max(bits(a.n), bits(a.d)) - 1000);
  return Number(a.n >> shift) / Number(a.d >> shift);
}
