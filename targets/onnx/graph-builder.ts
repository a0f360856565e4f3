/**
 * @fileoverview A small ONNX graph builder: nodes named by a scope path (`layer0/membrane/clamp`), their output tensors
 * named the same, element types tracked for every value, constants deduplicated as initializers of the main graph.
 */
import { attribute, tensorProto, valueInfo, type AttrValue, type DType, type Scalar, type Dim, type GraphProto, type NodeProto, type TensorProto, type ValueInfoProto } from './proto.ts';

/** One name space for a whole model: ONNX wants every value name unique, subgraphs included. */
export class NameTable {
  private readonly used = new Set<string>();
  unique(base: string): string {
    let name = base;
    for (let i = 1; this.used.has(name); i++) name = `${base}_${i}`;
    this.used.add(name);
    return name;
  }
}

export interface NodeOptions {
  /** The node's name within the current scope; its output tensor gets the same path. */
  readonly name: string;
  readonly doc?: string;
  readonly attrs?: Readonly<Record<string, AttrValue>>;
  /** Element type of the outputs when it is not the first input's (comparisons, Cast, ArgMax...). */
  readonly dtype?: DType;
  /** Number of outputs (default 1), named `name:i`, or their names (scoped like the node). */
  readonly outputs?: number | readonly string[];
}

/** Ops whose output element type is not their first input's. */
const BOOL_OPS = new Set(['Greater', 'Less', 'Equal', 'GreaterOrEqual', 'LessOrEqual', 'And', 'Or', 'Not']);
const INT64_OPS = new Set(['Shape', 'ArgMax', 'ArgMin', 'Size']);

export class GraphBuilder {
  private readonly nodes: NodeProto[] = [];
  private readonly inputs: ValueInfoProto[] = [];
  private readonly outputs: ValueInfoProto[] = [];
  private readonly initializers: TensorProto[] = [];
  private readonly dtypes = new Map<string, DType>();
  private readonly constants = new Map<string, string>();
  private readonly scopes: string[] = [];

  constructor(
    readonly names: NameTable,
    readonly graphName: string,
    readonly parent?: GraphBuilder,
  ) {}

  /** Runs `build` with `prefix` appended to the name scope. */
  scope<T>(prefix: string, build: () => T): T {
    this.scopes.push(prefix);
    try {
      return build();
    } finally {
      this.scopes.pop();
    }
  }

  private path(name: string): string {
    return [...this.scopes, name].join('/');
  }

  private root(): GraphBuilder {
    return this.parent ? this.parent.root() : this;
  }

  dtypeOf(value: string): DType {
    const d = this.dtypes.get(value) ?? this.parent?.dtypeOf(value);
    if (d === undefined) throw new Error(`unknown tensor ${value}`);
    return d;
  }

  input(name: string, dtype: DType, dims: readonly Dim[] | undefined, doc = ''): string {
    const unique = this.names.unique(name);
    this.inputs.push(valueInfo(unique, dtype, dims, doc));
    this.dtypes.set(unique, dtype);
    return unique;
  }

  /** Declares `value` a graph output called `name` (through an Identity node when the names differ). */
  output(value: string, name: string, dims: readonly Dim[] | undefined, doc = ''): string {
    const dtype = this.dtypeOf(value);
    let out = value;
    if (value !== name) {
      out = this.names.unique(name);
      this.nodes.push({ name: out, opType: 'Identity', input: [value], output: [out], docString: doc });
      this.dtypes.set(out, dtype);
    }
    this.outputs.push(valueInfo(out, dtype, dims, doc));
    return out;
  }

  /** A named initializer in the main graph (visible to every subgraph). */
  initializer(name: string, dtype: DType, dims: readonly number[], values: readonly Scalar[], doc = ''): string {
    const root = this.root();
    const unique = root.names.unique(name);
    root.initializers.push(tensorProto(unique, dtype, dims, values, doc));
    root.dtypes.set(unique, dtype);
    return unique;
  }

  /** A constant initializer, shared by every use of the same label, dtype, shape and values; unlabelled ones are named by value. */
  constant(dtype: DType, values: Scalar | readonly Scalar[], dims?: readonly number[], label?: string): string {
    const scalar = typeof values === 'number' || typeof values === 'bigint';
    const list = scalar ? [values] : values;
    const shape = dims ?? (scalar ? [] : [list.length]);
    const root = this.root();
    const key = `${label ?? ''}|${dtype}|${shape.join(',')}|${list.join(',')}`;
    const known = root.constants.get(key);
    if (known !== undefined) return known;
    const name = root.initializer(`const/${label ?? `${dtype}_${list.length === 1 ? String(list[0]).replace('-', 'minus') : shape.join('x')}`}`, dtype, shape, list);
    root.constants.set(key, name);
    return name;
  }

  /** Adds one node; returns its output tensor names (unique paths in the current scope). */
  opN(opType: string, inputs: readonly string[], options: NodeOptions): string[] {
    const nodeName = this.names.unique(this.path(options.name));
    const spec = options.outputs ?? 1;
    const outputs = typeof spec !== 'number' ? spec.map((o) => this.names.unique(this.path(o)))
      : spec === 1 ? [nodeName] : Array.from({ length: spec }, (_, i) => this.names.unique(`${nodeName}:${i}`));
    const dtype = options.dtype ?? (BOOL_OPS.has(opType) ? 'bool' : INT64_OPS.has(opType) ? 'int64' : this.dtypeOf(inputs[opType === 'Where' ? 1 : 0]!));
    for (const o of outputs) this.dtypes.set(o, dtype);
    const attrs = Object.entries(options.attrs ?? {}).map(([k, v]) => attribute(k, v));
    this.nodes.push({ name: nodeName, opType, input: [...inputs], output: outputs, attribute: attrs, docString: options.doc ?? '' });
    return outputs;
  }

  op(opType: string, inputs: readonly string[], options: NodeOptions): string {
    return this.opN(opType, inputs, options)[0]!;
  }

  /** A nested graph (a Loop body) sharing this model's names and constants. */
  subgraph(name: string): GraphBuilder {
    return new GraphBuilder(this.names, name, this);
  }

  /** Records the element type of a value produced outside `op` (a Loop's outputs). */
  setDtype(value: string, dtype: DType): void {
    this.dtypes.set(value, dtype);
  }

  toProto(doc = ''): GraphProto {
    const declared = new Set([...this.inputs, ...this.outputs].map((v) => v.name));
    const valueInfos = this.nodes
      .flatMap((n) => n.output ?? [])
      .filter((o) => !declared.has(o))
      .map((o) => valueInfo(o, this.dtypeOf(o), undefined));
    return {
      name: this.graphName,
      docString: doc,
      node: this.nodes,
      input: this.inputs,
      output: this.outputs,
      initializer: this.initializers,
      valueInfo: valueInfos,
    };
  }
}
