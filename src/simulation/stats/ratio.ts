/** a / b, or 0 for an average or a fraction with nothing observed. */
export const ratio = (a: number, b: number): number => (b > 0 ? a / b : 0);
