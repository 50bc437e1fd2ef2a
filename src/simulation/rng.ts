/**
 * Seeded random streams: xoshiro128** (32-bit state words, fast in JS),
 * one independent stream per source of randomness. A stream's state is
 * derived from (seed, replication index, stream key) through splitmix64, so
 * the same inputs give bit-identical draws, and two models that differ in one
 * parameter keep drawing the same numbers for every other source (common
 * random numbers).
 */

const M64 = (1n << 64n) - 1n;

function mix64(z: bigint): bigint {
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & M64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & M64;
  return z ^ (z >> 31n);
}

function fnv1a64(key: string): bigint {
  let h = 0xcbf29ce484222325n;
  for (const byte of new TextEncoder().encode(key)) {
    h ^= BigInt(byte);
    h = (h * 0x100000001b3n) & M64;
  }
  return h;
}

const GOLDEN = 0x9e3779b97f4a7c15n;

/** 128 bits of stream state (four 32-bit words, never all zero). */
export function deriveStreamState(
  seed: number,
  repIndex: number,
  key: string,
): [number, number, number, number] {
  let x = mix64((BigInt.asUintN(64, BigInt(Math.trunc(seed))) + GOLDEN) & M64);
  x = mix64((x + BigInt(repIndex) * GOLDEN + 1n) & M64);
  x = mix64((x ^ fnv1a64(key)) & M64);
  let s = x;
  s = (s + GOLDEN) & M64;
  const a = mix64(s);
  s = (s + GOLDEN) & M64;
  const b = mix64(s);
  const w = [Number(a & 0xffffffffn), Number(a >> 32n), Number(b & 0xffffffffn), Number(b >> 32n)] as [
    number,
    number,
    number,
    number,
  ];
  // Stryker disable next-line ConditionalExpression: splitmix64 output is all zero with probability 2^-128
  if ((w[0] | w[1] | w[2] | w[3]) === 0) w[0] = 1;
  return w;
}

/** A set of xoshiro128** streams stored in one typed array (no per-draw allocation). */
export class RandomStreams {
  // `declare`: assigned once in the constructor, never first undefined, so V8 keeps the fields' exact types.
  declare private readonly s: Int32Array;
  declare readonly count: number;

  constructor(seed: number, repIndex: number, keys: readonly string[]) {
    this.count = keys.length;
    this.s = new Int32Array(Math.max(1, keys.length) * 4);
    keys.forEach((key, i) => {
      const w = deriveStreamState(seed, repIndex, key);
      this.s[i * 4] = w[0];
      this.s[i * 4 + 1] = w[1];
      this.s[i * 4 + 2] = w[2];
      this.s[i * 4 + 3] = w[3];
    });
  }

  /** Next 32-bit output of stream `i` (unsigned). */
  nextU32(i: number): number {
    const s = this.s;
    const o = i << 2;
    const s0 = s[o],
      s1 = s[o + 1];
    let s2 = s[o + 2],
      s3 = s[o + 3];
    const r = Math.imul(rotl(Math.imul(s1, 5), 7), 9);
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s[o + 1] = s1 ^ s2;
    s[o] = s0 ^ s3;
    s[o + 2] = s2 ^ t;
    s[o + 3] = rotl(s3, 11);
    return r >>> 0;
  }

  /**
   * Uniform double in [0, 1) with 53 random bits: two xoshiro128** steps
   * (the same draws as two nextU32 calls), fused to keep the state in locals.
   */
  next(i: number): number {
    const s = this.s;
    const o = i << 2;
    let s0 = s[o],
      s1 = s[o + 1],
      s2 = s[o + 2],
      s3 = s[o + 3];
    const a = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 5;
    let t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotl(s3, 11);
    const b = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 6;
    t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s[o] = s0;
    s[o + 1] = s1;
    s[o + 2] = s2;
    s[o + 3] = rotl(s3, 11);
    return (a * 67108864 + b) * 1.1102230246251565e-16;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
