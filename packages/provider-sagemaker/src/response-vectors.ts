/**
 * Turning the JSON vectors an endpoint returned into Float32Arrays, checking them on the way: a vector
 * of the wrong length or with a non-number in it must stop the run, never reach the scorer.
 */

/** The 200 body did not have the shape the container format promises. */
export class UnexpectedResponseError extends Error {
  constructor(
    message: string,
    readonly reason: "shape" | "dimension",
  ) {
    super(message);
    this.name = "UnexpectedResponseError";
  }
}

export function objectField(value: unknown, field: string): unknown {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  return (value as Record<string, unknown>)[field];
}

/** A vector of finite numbers, of exactly `dimensions` when given. */
export function numberVector(value: unknown, dimensions: number | undefined, where: string): Float32Array {
  if (!Array.isArray(value))
    throw new UnexpectedResponseError(`${where} is not an array of numbers.`, "shape");
  if (dimensions !== undefined && value.length !== dimensions) {
    throw new UnexpectedResponseError(
      `${where} has ${value.length} dimensions; expected ${dimensions}.`,
      "dimension",
    );
  }
  const vector = new Float32Array(value.length);
  for (let index = 0; index < value.length; index++) {
    const element = value[index];
    if (typeof element !== "number" || !Number.isFinite(element)) {
      throw new UnexpectedResponseError(
        `${where}[${index}] is ${JSON.stringify(element)}, not a finite number.`,
        "shape",
      );
    }
    vector[index] = element;
  }
  return vector;
}

/** A list of exactly `count` items. */
export function vectorList(value: unknown, count: number, where: string): unknown[] {
  if (!Array.isArray(value)) throw new UnexpectedResponseError(`${where} is missing or not a list.`, "shape");
  if (value.length !== count) {
    throw new UnexpectedResponseError(
      `${where} has ${value.length} vectors for ${count} input texts.`,
      "shape",
    );
  }
  return value;
}

/**
 * Every vector the same length: the configured `dimensions` when given, otherwise the first vector's.
 * Vectors of mixed lengths in one answer mean the endpoint is not what the config says it is.
 */
export function checkDimensions(vectors: readonly Float32Array[], dimensions: number | undefined): void {
  const expected = dimensions ?? vectors[0]?.length;
  vectors.forEach((vector, index) => {
    if (vector.length !== expected) {
      throw new UnexpectedResponseError(
        `vector ${index} has ${vector.length} dimensions; expected ${expected}.`,
        "dimension",
      );
    }
  });
}
