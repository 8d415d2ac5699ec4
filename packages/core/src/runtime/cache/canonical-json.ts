/**
 * JSON with object keys sorted at every depth, so two option objects that mean the same thing
 * (`{dimensions: 512, normalize: true}` and `{normalize: true, dimensions: 512}`) serialise to the same
 * bytes and therefore to the same cache namespace. `undefined` members are dropped like JSON.stringify
 * does; values JSON cannot represent faithfully (NaN, Infinity, bigint, functions) are refused, because
 * silently turning them into `null` would let two different configurations share cached vectors.
 */
export function canonicalJson(value: unknown): string {
  return serialise(value, "$");
}

function serialise(value: unknown, path: string): string {
  if (value === null) return "null";
  switch (typeof value) {
    case "string":
    case "boolean":
      return JSON.stringify(value);
    case "number":
      if (!Number.isFinite(value))
        throw new TypeError(`canonicalJson: ${path} is ${value}, which JSON cannot represent`);
      return JSON.stringify(value);
    case "object": {
      if (Array.isArray(value)) {
        return `[${value.map((item, index) => (item === undefined ? "null" : serialise(item, `${path}[${index}]`))).join(",")}]`;
      }
      if (ArrayBuffer.isView(value)) {
        return serialise(Array.from(value as unknown as ArrayLike<number>), path);
      }
      const record = value as Record<string, unknown>;
      const members: string[] = [];
      for (const key of Object.keys(record).sort()) {
        const member = record[key];
        if (member === undefined) continue;
        members.push(`${JSON.stringify(key)}:${serialise(member, `${path}.${key}`)}`);
      }
      return `{${members.join(",")}}`;
    }
    default:
      throw new TypeError(`canonicalJson: ${path} is a ${typeof value}, which JSON cannot represent`);
  }
}
