// One-node ONNX models (Gemm, MatMul) written as protobuf bytes, for onnxruntime-web in the peers
// benchmark. Field numbers and enum values from onnx/onnx.proto (github.com/onnx/onnx, onnx/onnx.proto):
//   ModelProto: ir_version = 1, producer_name = 2, graph = 7, opset_import = 8
//   OperatorSetIdProto: domain = 1, version = 2
//   GraphProto: node = 1, name = 2, input = 11, output = 12
//   NodeProto: input = 1, output = 2, name = 3, op_type = 4, attribute = 5
//   AttributeProto: name = 1, i = 3, type = 20 (AttributeType INT = 2)
//   ValueInfoProto: name = 1, type = 2;  TypeProto: tensor_type = 1
//   TypeProto.Tensor: elem_type = 1, shape = 2;  TensorShapeProto: dim = 1;  Dimension: dim_value = 1
//   TensorProto.DataType FLOAT = 1
// Protobuf's wire format (protobuf.dev/programming-guides/encoding): a key is (field << 3) | wire type,
// wire type 0 = varint, 2 = length-delimited (strings, bytes, embedded messages).

/** A protobuf message under construction: fields appended in order. */
class Message {
  readonly bytes: number[] = [];

  private varint(n: number): void {
    if (!Number.isSafeInteger(n) || n < 0) throw new Error(`onnx: varint ${n} is not a non-negative safe integer`);
    while (n >= 0x80) {
      this.bytes.push((n % 0x80) | 0x80);
      n = Math.floor(n / 0x80);
    }
    this.bytes.push(n);
  }

  int(field: number, n: number): this {
    this.varint((field << 3) | 0);
    this.varint(n);
    return this;
  }

  raw(field: number, data: Uint8Array | number[]): this {
    this.varint((field << 3) | 2);
    this.varint(data.length);
    for (const b of data) this.bytes.push(b);
    return this;
  }

  str(field: number, s: string): this {
    return this.raw(field, new TextEncoder().encode(s));
  }

  msg(field: number, m: Message): this {
    return this.raw(field, m.bytes);
  }
}

const FLOAT = 1;
const ATTR_INT = 2;

/** ValueInfoProto of a float tensor with fixed dims. */
function floatTensor(name: string, dims: number[]): Message {
  const shape = new Message();
  for (const d of dims) shape.msg(1, new Message().int(1, d));
  const tensor = new Message().int(1, FLOAT).msg(2, shape);
  return new Message().str(1, name).msg(2, new Message().msg(1, tensor));
}

export interface NodeSpec {
  op: 'Gemm' | 'MatMul';
  /** Graph inputs (name, dims), in the node's input order. */
  inputs: [string, number[]][];
  output: [string, number[]];
  /** INT attributes (Gemm's transA / transB). */
  ints?: Record<string, number>;
}

/** ModelProto bytes of a graph with one node, opset 17 of the default domain, IR version 8. */
export function oneNodeModel(spec: NodeSpec): Uint8Array {
  const node = new Message();
  for (const [name] of spec.inputs) node.str(1, name);
  node.str(2, spec.output[0]).str(3, spec.op.toLowerCase()).str(4, spec.op);
  for (const [name, v] of Object.entries(spec.ints ?? {})) {
    node.msg(5, new Message().str(1, name).int(3, v).int(20, ATTR_INT));
  }
  const graph = new Message().msg(1, node).str(2, `prism_peers_${spec.op.toLowerCase()}`);
  for (const [name, dims] of spec.inputs) graph.msg(11, floatTensor(name, dims));
  graph.msg(12, floatTensor(...spec.output));
  const model = new Message()
    .int(1, 8)
    .str(2, 'prism-bench-peers')
    .msg(7, graph)
    .msg(8, new Message().str(1, '').int(2, 17));
  return Uint8Array.from(model.bytes);
}

/**
 * Y[M, N] = A[M, K]·op(B): Gemm with transB (B [N, K] when transB, else [K, N]) — the op ONNX exports
 * of nn.Linear use with the weight as stored.
 */
export function gemmModel(M: number, N: number, K: number, transB: boolean): Uint8Array {
  return oneNodeModel({
    op: 'Gemm',
    inputs: [
      ['A', [M, K]],
      ['B', transB ? [N, K] : [K, N]],
    ],
    output: ['Y', [M, N]],
    ints: { transB: transB ? 1 : 0 },
  });
}

/** Y[M, N] = A[M, K]·B[K, N]: MatMul takes B as [K, N] (a transposed weight is pre-transposed on the host). */
export function matmulModel(M: number, N: number, K: number): Uint8Array {
  return oneNodeModel({
    op: 'MatMul',
    inputs: [
      ['A', [M, K]],
      ['B', [K, N]],
    ],
    output: ['Y', [M, N]],
  });
}
