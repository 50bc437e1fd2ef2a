/**
 * Python's float semantics for the operators and builtins the expression
 * language offers, where JavaScript differs: `%` takes the sign of the
 * divisor, `//` floors, `round` rounds half to even. Division by zero is
 * the caller's business (it raises before these run).
 *
 * `%` and `//` follow CPython's `float_rem` and `_float_div_mod` line for
 * line, so they match Python bit for bit on doubles.
 */

const copysignZero = (sign: number): number => (sign < 0 || Object.is(sign, -0) ? -0 : 0);

/** Python `a % b` on floats (`b !== 0`): the result has the sign of `b`. */
export function pyMod(a: number, b: number): number {
  let mod = a % b;
  if (mod !== 0) {
    if (b < 0 !== mod < 0) mod += b;
  } else {
    mod = copysignZero(b);
  }
  return mod;
}

/** Python `a // b` on floats (`b !== 0`): floor of the exact quotient. */
export function pyFloorDiv(a: number, b: number): number {
  const mod = a % b;
  let div = (a - mod) / b;
  if (mod !== 0 && b < 0 !== mod < 0) div -= 1;
  if (div === 0) return copysignZero(a / b);
  let floordiv = Math.floor(div);
  if (div - floordiv > 0.5) floordiv += 1;
  return floordiv;
}

/**
 * Python's one-argument `round(x)`: nearest integer, ties to even
 * (`round(2.5) == 2`, `round(-0.5) == 0`). Python raises on NaN and
 * infinities; here they pass through unchanged, since a simulation state
 * cannot hold a Python exception.
 */
export function pyRound(x: number): number {
  if (!Number.isFinite(x)) return x;
  const f = Math.floor(x);
  const d = x - f; // exact for doubles
  if (d < 0.5) return f;
  if (d > 0.5) return f + 1;
  return f % 2 === 0 ? f : f + 1;
}

/**
 * Python's `round(x, n)` for an integer `n`: rounds the exact binary value
 * of `x` to `n` decimals, ties to even, so `round(2.675, 2) == 2.67` (2.675
 * is stored as 2.67499…) and `round(0.125, 2) == 0.12` (an exact tie).
 * `toFixed` rounds the exact value too, but breaks ties away from zero; a
 * tie is detected on the exact decimal expansion and resolved to even.
 * Negative `n` rounds to tens, hundreds…; for |n| > 22 the power of ten is
 * inexact and the result may differ from Python in the last bit.
 */
export function pyRoundDigits(x: number, n: number): number {
  if (!Number.isFinite(x) || x === 0) return x;
  if (n < 0) {
    if (n < -308) return x < 0 ? -0 : 0;
    const p = 10 ** -n;
    const r = pyRound(x / p) * p;
    return r === 0 ? copysignZero(x) : r;
  }
  // Doubles at or above 2^52 are integers; beyond 100 digits toFixed throws.
  if (Math.abs(x) >= 2 ** 52 || n > 100) return x;
  const rounded = x.toFixed(n);
  if (n <= 40) {
    const exact = Math.abs(x).toFixed(Math.min(100, 2 * n + 20));
    const dot = exact.indexOf(".");
    const frac = exact.slice(dot + 1);
    if (frac[n] === "5" && /^0*$/.test(frac.slice(n + 1))) {
      const truncated = exact.slice(0, n === 0 ? dot : dot + 1 + n);
      const lastDigit = truncated.charCodeAt(truncated.length - 1) - 48;
      if (lastDigit % 2 === 0) return x < 0 ? -Number(truncated) : Number(truncated);
    }
  }
  return Number(rounded);
}
