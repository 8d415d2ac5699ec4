/**
 * numpy's `default_rng(seed)`: a PCG64 bit generator seeded through SeedSequence, and the Generator
 * methods MTEB and Hugging Face `datasets` draw from (numpy/random/_generator.pyx, bit_generator.pyx,
 * src/pcg64/pcg64.h, src/distributions/distributions.c). MTEB keeps one `default_rng(42)` per task
 * (multilabel classification's undersampling); `datasets`' `train_test_split(seed=42)` makes another
 * (ArXivHierarchical's 2,048-row split, the stratified subsamples of ToxicConversations and
 * StackExchangeClustering.v2). Checked against numpy's own draws in numpy-generator.test.ts.
 */

const mask32 = 0xffffffffn;
const mask64 = 0xffffffffffffffffn;
const mask128 = (1n << 128n) - 1n;
/** PCG_DEFAULT_MULTIPLIER_128. */
const multiplier = (2549297995355413924n << 64n) | 4865540595714422341n;

// SeedSequence's hash constants (bit_generator.pyx).
const initA = 0x43b0d7e5;
const multA = 0x931e8875;
const initB = 0x8b51f9dd;
const multB = 0x58f38ded;
const mixMultL = 0xca01f9dd;
const mixMultR = 0x4973f715;

/** SeedSequence(seed).generate_state(words, uint32) for a seed below 2^32 (pool size 4, no spawn key). */
export function seedSequenceState(seed: number, words: number): number[] {
  let hashConst = initA;
  const hashmix = (input: number): number => {
    let value = (input ^ hashConst) >>> 0;
    hashConst = Math.imul(hashConst, multA) >>> 0;
    value = Math.imul(value, hashConst) >>> 0;
    return (value ^ (value >>> 16)) >>> 0;
  };
  const mix = (x: number, y: number): number => {
    const result = (Math.imul(mixMultL, x) - Math.imul(mixMultR, y)) >>> 0;
    return (result ^ (result >>> 16)) >>> 0;
  };
  const entropy = [seed >>> 0];
  const pool = [0, 0, 0, 0].map((_, index) =>
    hashmix(index < entropy.length ? (entropy[index] as number) : 0),
  );
  for (let source = 0; source < pool.length; source++) {
    for (let target = 0; target < pool.length; target++) {
      if (source !== target) pool[target] = mix(pool[target] as number, hashmix(pool[source] as number));
    }
  }
  let outputConst = initB;
  const state: number[] = [];
  for (let index = 0; index < words; index++) {
    let value = ((pool[index % pool.length] as number) ^ outputConst) >>> 0;
    outputConst = Math.imul(outputConst, multB) >>> 0;
    value = Math.imul(value, outputConst) >>> 0;
    state.push((value ^ (value >>> 16)) >>> 0);
  }
  return state;
}

/** The PCG64 bit generator (XSL-RR 128/64) with numpy's 32-bit buffering of 64-bit outputs. */
export class Pcg64 {
  private state = 0n;
  private readonly increment: bigint;
  private bufferedHalf: number | undefined;

  constructor(seed: number) {
    // generate_state(4, uint64): eight 32-bit words read as little-endian 64-bit values.
    const words = seedSequenceState(seed, 8);
    const word64 = (index: number) =>
      (BigInt(words[2 * index + 1] as number) << 32n) | BigInt(words[2 * index] as number);
    const initialState = (word64(0) << 64n) | word64(1);
    const sequence = (word64(2) << 64n) | word64(3);
    this.increment = ((sequence << 1n) | 1n) & mask128;
    this.step();
    this.state = (this.state + initialState) & mask128;
    this.step();
  }

  private step(): void {
    this.state = (this.state * multiplier + this.increment) & mask128;
  }

  nextUint64(): bigint {
    this.step();
    const high = this.state >> 64n;
    const folded = (high ^ this.state) & mask64;
    const rotation = this.state >> 122n;
    return ((folded >> rotation) | (folded << ((64n - rotation) & 63n))) & mask64;
  }

  /** pcg64_next32: the low half of a 64-bit output, its high half kept for the next call. */
  nextUint32(): number {
    if (this.bufferedHalf !== undefined) {
      const half = this.bufferedHalf;
      this.bufferedHalf = undefined;
      return half;
    }
    const next = this.nextUint64();
    this.bufferedHalf = Number(next >> 32n);
    return Number(next & mask32);
  }
}

/** numpy.random.Generator over PCG64, the methods used here. */
export class NumpyGenerator {
  private readonly bits: Pcg64;

  constructor(seed: number) {
    this.bits = new Pcg64(seed);
  }

  /** random_interval(max): 32-bit draws masked to max's bit length, rejected above max (max < 2^32). */
  randomInterval(max: number): number {
    if (max === 0) return 0;
    let mask = max;
    mask |= mask >>> 1;
    mask |= mask >>> 2;
    mask |= mask >>> 4;
    mask |= mask >>> 8;
    mask |= mask >>> 16;
    let value: number;
    do value = (this.bits.nextUint32() & mask) >>> 0;
    while (value > max);
    return value;
  }

  /** random_bounded_uint64(0, range) with Lemire's method (use_masked false), for range < 2^32 - 1. */
  boundedLemire(range: number): number {
    if (range === 0) return 0;
    const exclusive = BigInt(range + 1);
    let product = BigInt(this.bits.nextUint32()) * exclusive;
    let leftover = Number(product & mask32);
    if (leftover < range + 1) {
      const threshold = (0xffffffff - range) % (range + 1);
      while (leftover < threshold) {
        product = BigInt(this.bits.nextUint32()) * exclusive;
        leftover = Number(product & mask32);
      }
    }
    return Number(product >> 32n);
  }

  /** shuffle(x) of a list or a 1-d array, in place: for i = n-1 down to 1, j = random_interval(i). */
  shuffle<T>(items: T[]): void {
    for (let i = items.length - 1; i >= 1; i--) {
      const j = this.randomInterval(i);
      const item = items[i] as T;
      items[i] = items[j] as T;
      items[j] = item;
    }
  }

  /** permutation(n): arange(n) shuffled; permutation(list): a shuffled copy. */
  permutation(input: number | readonly number[]): number[] {
    const items = typeof input === "number" ? Array.from({ length: input }, (_, index) => index) : [...input];
    this.shuffle(items);
    return items;
  }

  /**
   * choice(population, size, replace=False) without probabilities: a tail shuffle when the population
   * is over 10,000 and the sample over a fiftieth of it, else Floyd's algorithm followed by a shuffle of
   * the drawn positions (both with Lemire's bounded draws, numpy's `_shuffle_int`).
   */
  choiceWithoutReplacement<T>(population: readonly T[], size: number): T[] {
    const total = population.length;
    if (size > total || size < 0) throw new RangeError(`cannot take ${size} of ${total} without replacement`);
    let positions: number[];
    if (total > 10000 && size > Math.floor(total / 50)) {
      positions = Array.from({ length: total }, (_, index) => index);
      this.shuffleInt(positions, Math.max(total - size, 1));
      positions = positions.slice(total - size);
    } else {
      positions = [];
      const chosen = new Set<number>();
      for (let j = total - size; j < total; j++) {
        const value = this.boundedLemire(j);
        const taken = chosen.has(value) ? j : value;
        chosen.add(taken);
        positions.push(taken);
      }
      this.shuffleInt(positions, 1);
    }
    return positions.map((position) => population[position] as T);
  }

  /** numpy's `_shuffle_int(n, first, data)`: for i = n-1 down to first, j = Lemire-bounded(0, i). */
  private shuffleInt(items: number[], first: number): void {
    for (let i = items.length - 1; i >= first; i--) {
      const j = this.boundedLemire(i);
      const item = items[i] as number;
      items[i] = items[j] as number;
      items[j] = item;
    }
  }
}
