/** @fileoverview Thin helpers over onnx-proto: element types, tensors as raw little-endian bytes, value infos, attributes. */
import onnxProto from 'onnx-proto';

export const { onnx } = onnxProto;
export type TensorProto = onnxProto.onnx.ITensorProto;
export type NodeProto = onnxProto.onnx.INodeProto;
export type GraphProto = onnxProto.onnx.IGraphProto;
export type ModelProto = onnxProto.onnx.IModelProto;
export type ValueInfoProto = onnxProto.onnx.IValueInfoProto;
export type AttributeProto = onnxProto.onnx.IAttributeProto;

/** The element types the emitted graphs use. */
export type DType = 'bool' | 'uint8' | 'int8' | 'int16' | 'int32' | 'int64' | 'uint32' | 'float' | 'double';

const DT = onnx.TensorProto.DataType;
export const DTYPE_CODE: Record<DType, number> = {
  bool: DT.BOOL,
  uint8: DT.UINT8,
  int8: DT.INT8,
  int16: DT.INT16,
  int32: DT.INT32,
  int64: DT.INT64,
  uint32: DT.UINT32,
  float: DT.FLOAT,
  double: DT.DOUBLE,
};

export function dtypeOfCode(code: number): DType | undefined {
  return (Object.keys(DTYPE_CODE) as DType[]).find((d) => DTYPE_CODE[d] === code);
}

/** A dimension: a fixed size, or a symbolic name (the batch `N`). */
export type Dim = number | string;

/** A tensor value: a number, or a bigint for int64 constants beyond 2^53 (e.g. the roundShift lift). */
export type Scalar = number | bigint;

/** Raw little-endian bytes of `values` as `dtype`; every value must be exactly representable (checked). */
export function rawBytes(dtype: DType, scalars: readonly Scalar[]): Uint8Array {
  const n = scalars.length;
  if (dtype === 'int64') {
    const out = new BigInt64Array(n);
    scalars.forEach((v, i) => {
      if (typeof v === 'number' && !Number.isSafeInteger(v)) throw new RangeError(`${v} is not a safe integer; pass a bigint`);
      out[i] = BigInt(v);
      if (out[i] !== BigInt(v)) throw new RangeError(`${v} does not fit int64`);
    });
    return new Uint8Array(out.buffer);
  }
  if (scalars.some((v) => typeof v === 'bigint')) throw new RangeError(`bigint values are for int64 tensors, not ${dtype}`);
  const values = scalars as readonly number[];
  const check = (ok: boolean, v: number): void => {
    if (!ok) throw new RangeError(`${v} is not exactly representable as ${dtype}`);
  };
  const int = (lo: number, hi: number) => (v: number) => check(Number.isInteger(v) && v >= lo && v <= hi, v);
  switch (dtype) {
    case 'bool':
    case 'uint8':
      values.forEach(int(0, dtype === 'bool' ? 1 : 255));
      return Uint8Array.from(values);
    case 'int8':
      values.forEach(int(-128, 127));
      return new Uint8Array(Int8Array.from(values).buffer);
    case 'int16':
      values.forEach(int(-32768, 32767));
      return new Uint8Array(Int16Array.from(values).buffer);
    case 'int32':
      values.forEach(int(-(2 ** 31), 2 ** 31 - 1));
      return new Uint8Array(Int32Array.from(values).buffer);
    case 'uint32':
      values.forEach(int(0, 2 ** 32 - 1));
      return new Uint8Array(Uint32Array.from(values).buffer);
    case 'float': {
      const out = Float32Array.from(values);
      out.forEach((v, i) => check(Object.is(v, values[i]) || (Number.isNaN(v) && Number.isNaN(values[i]!)), values[i]!));
      return new Uint8Array(out.buffer);
    }
    case 'double':
      return new Uint8Array(Float64Array.from(values).buffer);
    default: {
      const never: never = dtype;
      return never;
    }
  }
}

/** Decodes raw bytes written by `rawBytes` back to numbers (for the printer). */
export function fromRawBytes(dtype: DType, bytes: Uint8Array): Scalar[] {
  const copy = new Uint8Array(bytes).buffer; // a copy: protobufjs may hand out a view into a pooled Buffer
  switch (dtype) {
    case 'bool':
    case 'uint8':
      return Array.from(bytes);
    case 'int8':
      return Array.from(new Int8Array(copy));
    case 'int16':
      return Array.from(new Int16Array(copy));
    case 'int32':
      return Array.from(new Int32Array(copy));
    case 'uint32':
      return Array.from(new Uint32Array(copy));
    case 'int64':
      return Array.from(new BigInt64Array(copy), (v) => (v >= -BigInt(Number.MAX_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v));
    case 'float':
      return Array.from(new Float32Array(copy));
    case 'double':
      return Array.from(new Float64Array(copy));
    default: {
      const never: never = dtype;
      return never;
    }
  }
}

export function tensorProto(name: string, dtype: DType, dims: readonly number[], values: readonly Scalar[], docString = ''): TensorProto {
  const count = dims.reduce((a, b) => a * b, 1);
  if (count !== values.length) throw new RangeError(`${name}: ${values.length} values for dims [${dims.join(', ')}]`);
  return { name, dataType: DTYPE_CODE[dtype], dims: [...dims], rawData: rawBytes(dtype, values), docString };
}

export function valueInfo(name: string, dtype: DType, dims: readonly Dim[] | undefined, docString = ''): ValueInfoProto {
  const shape = dims === undefined ? undefined : { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) };
  return { name, docString, type: { tensorType: { elemType: DTYPE_CODE[dtype], ...(shape ? { shape } : {}) } } };
}

/** An attribute value: numbers are ints unless wrapped, as ONNX attributes are typed. */
export type AttrValue =
  | { readonly int: number }
  | { readonly ints: readonly number[] }
  | { readonly float: number }
  | { readonly string: string }
  | { readonly tensor: TensorProto }
  | { readonly graph: GraphProto };

const AT = onnx.AttributeProto.AttributeType;

export function attribute(name: string, value: AttrValue): AttributeProto {
  if ('int' in value) return { name, type: AT.INT, i: value.int };
  if ('ints' in value) return { name, type: AT.INTS, ints: [...value.ints] };
  if ('float' in value) return { name, type: AT.FLOAT, f: value.float };
  if ('string' in value) return { name, type: AT.STRING, s: new TextEncoder().encode(value.string) };
  if ('tensor' in value) return { name, type: AT.TENSOR, t: value.tensor };
  return { name, type: AT.GRAPH, g: value.graph };
}
