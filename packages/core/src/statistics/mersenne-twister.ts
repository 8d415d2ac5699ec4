/**
 * MT19937, the generator behind numpy's legacy RandomState and CPython's `random` module, so embedeval
 * draws exactly the rows MTEB draws with seed 42. Reference: Matsumoto & Nishimura's mt19937ar.c
 * (init_genrand, init_by_array, genrand_int32).
 */
export class MersenneTwister {
  private readonly state = new Uint32Array(624);
  private index = 625;

  /** init_genrand(seed): how numpy's RandomState(seed) seeds itself for a 32-bit integer seed. */
  static fromSeed(seed: number): MersenneTwister {
    const generator = new MersenneTwister();
    generator.initGenrand(seed >>> 0);
    return generator;
  }

  /** init_by_array(key): how CPython's random.seed(int) seeds itself (the int's 32-bit words, low first). */
  static fromKey(key: readonly number[]): MersenneTwister {
    const generator = new MersenneTwister();
    generator.initGenrand(19650218);
    const state = generator.state;
    let i = 1;
    let j = 0;
    const length = Math.max(key.length, 1);
    for (let k = Math.max(624, key.length); k > 0; k--) {
      const previous = (state[i - 1] as number) ^ ((state[i - 1] as number) >>> 30);
      state[i] = (((state[i] as number) ^ Math.imul(previous, 1664525)) + (key[j] ?? 0) + j) >>> 0;
      i++;
      j++;
      if (i >= 624) {
        state[0] = state[623] as number;
        i = 1;
      }
      if (j >= length) j = 0;
    }
    for (let k = 623; k > 0; k--) {
      const previous = (state[i - 1] as number) ^ ((state[i - 1] as number) >>> 30);
      state[i] = (((state[i] as number) ^ Math.imul(previous, 1566083941)) - i) >>> 0;
      i++;
      if (i >= 624) {
        state[0] = state[623] as number;
        i = 1;
      }
    }
    state[0] = 0x80000000;
    return generator;
  }

  private initGenrand(seed: number): void {
    const state = this.state;
    state[0] = seed >>> 0;
    for (let i = 1; i < 624; i++) {
      const previous = (state[i - 1] as number) ^ ((state[i - 1] as number) >>> 30);
      state[i] = (Math.imul(previous, 1812433253) + i) >>> 0;
    }
    this.index = 624;
  }

  /** genrand_int32: the next 32 random bits as an unsigned integer. */
  nextUint32(): number {
    const state = this.state;
    if (this.index >= 624) {
      for (let k = 0; k < 624; k++) {
        const y = ((state[k] as number) & 0x80000000) | ((state[(k + 1) % 624] as number) & 0x7fffffff);
        state[k] = (state[(k + 397) % 624] as number) ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
      }
      this.index = 0;
    }
    let y = state[this.index++] as number;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }
}

/** numpy's legacy RandomState(seed).shuffle of a list, in place (Fisher-Yates with masked rejection). */
export function numpyLegacyShuffle<T>(items: T[], seed: number): void {
  new NumpyRandomState(seed).shuffle(items);
}

/** The legacy numpy RandomState methods scikit-learn's MiniBatchKMeans draws from. */
export class NumpyRandomState {
  private readonly generator: MersenneTwister;

  constructor(seed: number) {
    this.generator = MersenneTwister.fromSeed(seed);
  }

  /** shuffle: Fisher-Yates from the end, j = random_interval(i). */
  shuffle<T>(items: T[]): void {
    for (let i = items.length - 1; i >= 1; i--) {
      const j = numpyRandomInterval(this.generator, i);
      const item = items[i] as T;
      items[i] = items[j] as T;
      items[j] = item;
    }
  }

  /** randint(low, high): masked rejection on 32-bit draws (ranges under 2^32). */
  randint(low: number, high: number): number {
    return low + numpyRandomInterval(this.generator, high - 1 - low);
  }

  /** random_sample(): 53 bits from two draws, as CPython's random(). */
  randomSample(): number {
    const a = this.generator.nextUint32() >>> 5;
    const b = this.generator.nextUint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** choice(n, size, replace=False): the first `size` items of permutation(n). */
  choiceWithoutReplacement(n: number, size: number): number[] {
    const permutation = Array.from({ length: n }, (_, index) => index);
    this.shuffle(permutation);
    return permutation.slice(0, size);
  }
}

/** numpy's random_interval(max): uniform in [0, max], 32-bit draws masked to max's bit length, rejected above max. */
function numpyRandomInterval(generator: MersenneTwister, max: number): number {
  if (max === 0) return 0;
  let mask = max;
  mask |= mask >>> 1;
  mask |= mask >>> 2;
  mask |= mask >>> 4;
  mask |= mask >>> 8;
  mask |= mask >>> 16;
  let value: number;
  do value = (generator.nextUint32() & mask) >>> 0;
  while (value > max);
  return value;
}

/**
 * CPython's random.Random(seed) for a small non-negative integer seed: random(), randbelow, sample and
 * choices exactly as CPython 3.11 computes them (Lib/random.py, Modules/_randommodule.c).
 */
export class PythonRandom {
  private readonly generator: MersenneTwister;

  constructor(seed: number) {
    this.generator = MersenneTwister.fromKey([seed >>> 0]);
  }

  /** random(): 53 bits from two draws, (a·2^26 + b) / 2^53. */
  random(): number {
    const a = this.generator.nextUint32() >>> 5;
    const b = this.generator.nextUint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** _randbelow_with_getrandbits(n): the top bit-length(n) bits of one draw, retried while ≥ n (n < 2^32). */
  randbelow(n: number): number {
    const bits = Math.floor(Math.log2(n)) + 1;
    let value = this.generator.nextUint32() >>> (32 - bits);
    while (value >= n) value = this.generator.nextUint32() >>> (32 - bits);
    return value;
  }

  /** sample(range(n), k), in draw order. */
  sampleRange(n: number, k: number): number[] {
    if (k > n || k < 0) throw new RangeError(`sample larger than population (${k} of ${n})`);
    let setsize = 21;
    if (k > 5) setsize += 4 ** Math.ceil(Math.log(3 * k) / Math.log(4));
    const result: number[] = [];
    if (n <= setsize) {
      const pool = Array.from({ length: n }, (_, index) => index);
      for (let i = 0; i < k; i++) {
        const j = this.randbelow(n - i);
        result.push(pool[j] as number);
        pool[j] = pool[n - i - 1] as number;
      }
      return result;
    }
    const selected = new Set<number>();
    for (let i = 0; i < k; i++) {
      let j = this.randbelow(n);
      while (selected.has(j)) j = this.randbelow(n);
      selected.add(j);
      result.push(j);
    }
    return result;
  }

  /** choices(range(n), k=k): floor(random() · n), with replacement. */
  choicesRange(n: number, k: number): number[] {
    return Array.from({ length: k }, () => Math.floor(this.random() * n));
  }
}
