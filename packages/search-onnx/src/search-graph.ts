/**
 * The ONNX graph the fast path runs: `similarities = Gemm(queries, documents, transB=1)`.
 *
 * The model is a few hundred bytes of protobuf, encoded here by hand so the package needs no ONNX
 * tooling at build or run time. Field numbers come from onnx.proto:
 * https://github.com/onnx/onnx/blob/main/onnx/onnx.proto
 */

// Protobuf wire types: https://protobuf.dev/programming-guides/encoding/#structure
const varintWireType = 0;
const lengthDelimitedWireType = 2;

// onnx.proto TensorProto.DataType and AttributeProto.AttributeType values.
const floatElementType = 1;
const intAttributeType = 2;

/** Opset 13: Gemm with optional C, as used here. */
const opsetVersion = 13;
/** IR version 7 is what opset 13 shipped with; onnxruntime 1.x reads it. */
const irVersion = 7;

class ProtobufWriter {
  private readonly parts: number[] = [];

  varint(field: number, value: number): this {
    this.tag(field, varintWireType);
    this.rawVarint(value);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, new TextEncoder().encode(value));
  }

  message(field: number, message: ProtobufWriter): this {
    return this.bytes(field, message.finish());
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.parts);
  }

  private bytes(field: number, value: Uint8Array): this {
    this.tag(field, lengthDelimitedWireType);
    this.rawVarint(value.length);
    for (const byte of value) this.parts.push(byte);
    return this;
  }

  private tag(field: number, wireType: number): void {
    this.rawVarint(field * 8 + wireType);
  }

  private rawVarint(value: number): void {
    // Values here are small non-negative integers (field tags, lengths, enum values, 1 for attributes).
    let remaining = value;
    while (remaining >= 0x80) {
      this.parts.push((remaining % 0x80) | 0x80);
      remaining = Math.floor(remaining / 0x80);
    }
    this.parts.push(remaining);
  }
}

type Dimension = string | number;

function tensorValueInfo(name: string, elementType: number, shape: Dimension[]): ProtobufWriter {
  const shapeMessage = new ProtobufWriter();
  for (const dimension of shape) {
    const dimensionMessage = new ProtobufWriter();
    // Dimension: dim_value = 1, dim_param = 2 (a symbolic name, so one session serves every size).
    if (typeof dimension === "number") dimensionMessage.varint(1, dimension);
    else dimensionMessage.string(2, dimension);
    shapeMessage.message(1, dimensionMessage);
  }
  // TypeProto.Tensor: elem_type = 1, shape = 2; TypeProto: tensor_type = 1.
  const tensorType = new ProtobufWriter().varint(1, elementType).message(2, shapeMessage);
  const type = new ProtobufWriter().message(1, tensorType);
  // ValueInfoProto: name = 1, type = 2.
  return new ProtobufWriter().string(1, name).message(2, type);
}

function intAttribute(name: string, value: number): ProtobufWriter {
  // AttributeProto: name = 1, i = 3, type = 20.
  return new ProtobufWriter().string(1, name).varint(3, value).varint(20, intAttributeType);
}

function node(
  operator: string,
  inputs: string[],
  outputs: string[],
  attributes: ProtobufWriter[] = [],
): ProtobufWriter {
  // NodeProto: input = 1, output = 2, name = 3, op_type = 4, attribute = 5.
  const message = new ProtobufWriter();
  for (const input of inputs) message.string(1, input);
  for (const output of outputs) message.string(2, output);
  message.string(3, `${operator.toLowerCase()}_node`).string(4, operator);
  for (const attribute of attributes) message.message(5, attribute);
  return message;
}

/** Names of the graph's inputs and output, shared with the session code. */
export const searchGraphNames = {
  queries: "queries",
  documents: "documents",
  similarities: "similarities",
} as const;

/**
 * Builds the serialised ONNX model. Inputs: `queries` float32 [queryCount, dimension] and
 * `documents` float32 [documentCount, dimension]; output: `similarities` float32
 * [queryCount, documentCount] = queries · documentsᵀ (Gemm with transB = 1, no copy of the
 * transposed documents). There is no TopK node: see docs/decisions/0001-exact-search-engine.md.
 */
export function buildSearchGraph(): Uint8Array {
  const names = searchGraphNames;
  const graph = new ProtobufWriter();
  // GraphProto: node = 1, name = 2, input = 11, output = 12.
  graph.message(
    1,
    node("Gemm", [names.queries, names.documents], [names.similarities], [intAttribute("transB", 1)]),
  );
  graph.string(2, "embedeval_exact_search");
  graph.message(11, tensorValueInfo(names.queries, floatElementType, ["query_count", "dimension"]));
  graph.message(11, tensorValueInfo(names.documents, floatElementType, ["document_count", "dimension"]));
  graph.message(12, tensorValueInfo(names.similarities, floatElementType, ["query_count", "document_count"]));

  // OperatorSetIdProto: domain = 1 (empty = the default ONNX domain), version = 2.
  const opset = new ProtobufWriter().varint(2, opsetVersion);
  // ModelProto: ir_version = 1, producer_name = 2, graph = 7, opset_import = 8.
  return new ProtobufWriter()
    .varint(1, irVersion)
    .string(2, "embedeval")
    .message(7, graph)
    .message(8, opset)
    .finish();
}
