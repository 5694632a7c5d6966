/**
 * Tiny deterministic hashing. The simulator must give byte-identical answers across runs and
 * machines, so every "random" choice is a pure function of a seed instead of Math.random.
 */

// Global lookups are slow inside vm contexts (jest runs tests in one), and these run ~100k times a date.
const { imul } = Math;

export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Murmur3-style finaliser over two words: cheap, integer-only and well mixed. */
export function mix(a: number, b: number): number {
  let h = (a ^ imul(b | 0, 0x9e3779b1)) >>> 0;
  h = imul(h ^ (h >>> 16), 0x85ebca6b);
  h = imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Uniform in [0, 1). */
export function unit(seed: number, salt: number, n = 0): number {
  return mix(mix(seed, salt), n) / 4_294_967_296;
}

/** Bell-shaped in [-1.5, 1.5] with standard deviation 0.5; bounded so prices cannot run away. */
export function bell(seed: number, salt: number, n: number): number {
  return unit(seed, salt, n) + unit(seed, salt + 1, n) + unit(seed, salt + 2, n) - 1.5;
}
