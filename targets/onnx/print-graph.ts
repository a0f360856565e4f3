/**
 * @fileoverview A text dump of an ONNX model file for golden tests and review: metadata, inputs and outputs with types
 * and shapes, initializers summarised (shape, range, zeros, sha256 prefix), and every node with its attributes,
 * subgraphs indented. It decodes the serialized bytes, so it shows what a reader of the file sees.
 */
import { createHash } from 'node:crypto';
import { dtypeOfCode, fromRawBytes, onnx, type AttributeProto, type GraphProto, type TensorProto, type ValueInfoProto } from './proto.ts';

const INLINE_VALUES = 8;

function typeOf(v: ValueInfoProto): string {
  const t = v.type?.tensorType;
  const dtype = dtypeOfCode(t?.elemType ?? 0) ?? `type${t?.elemType}`;
  const dims = t?.shape?.dim?.map((d) => (d.dimParam ? d.dimParam : String(d.dimValue))) ?? undefined;
  return dims ? `${dtype}[${dims.join(',')}]` : dtype;
}

function tensorSummary(t: TensorProto): string {
  const dtype = dtypeOfCode(t.dataType ?? 0) ?? `type${t.dataType}`;
  const dims = (t.dims ?? []).map(Number);
  const raw = t.rawData ?? new Uint8Array();
  const values = fromRawBytes(dtypeOfCode(t.dataType ?? 0) ?? 'uint8', raw);
  const head = `${dtype}[${dims.join(',')}]`;
  if (values.length <= INLINE_VALUES) return `${head} = [${values.map(String).join(', ')}]`;
  const numbers = values.map(Number);
  const min = numbers.reduce((a, b) => Math.min(a, b));
  const max = numbers.reduce((a, b) => Math.max(a, b));
  const zeros = numbers.filter((v) => v === 0).length;
  const sha = createHash('sha256').update(raw).digest('hex').slice(0, 12);
  return `${head} range [${min}, ${max}] zeros ${zeros} sha256 ${sha}`;
}

function attributeText(a: AttributeProto): string {
  const T = onnx.AttributeProto.AttributeType;
  switch (a.type) {
    case T.INT:
      return `${a.name}=${String(a.i)}`;
    case T.INTS:
      return `${a.name}=[${(a.ints ?? []).map(String).join(',')}]`;
    case T.FLOAT:
      return `${a.name}=${a.f}`;
    case T.STRING:
      return `${a.name}="${new TextDecoder().decode(a.s ?? new Uint8Array())}"`;
    case T.TENSOR:
      return `${a.name}=${tensorSummary(a.t ?? {})}`;
    case T.GRAPH:
      return `${a.name}=graph ${a.g?.name}`;
    default:
      return `${a.name}=<type ${a.type}>`;
  }
}

export function graphText(graph: GraphProto, indent = ''): string {
  const lines: string[] = [];
  const add = (line: string): void => {
    lines.push(`${indent}${line}`);
  };
  const doc = (d: string | null | undefined): string => (d ? `  # ${d}` : '');
  add(`graph ${graph.name}${doc(graph.docString)}`);
  add('inputs:');
  for (const v of graph.input ?? []) add(`  ${v.name}: ${typeOf(v)}${doc(v.docString)}`);
  add('outputs:');
  for (const v of graph.output ?? []) add(`  ${v.name}: ${typeOf(v)}${doc(v.docString)}`);
  if ((graph.initializer ?? []).length > 0) {
    add('initializers:');
    for (const t of graph.initializer ?? []) add(`  ${t.name}: ${tensorSummary(t)}${doc(t.docString)}`);
  }
  const types = new Map((graph.valueInfo ?? []).map((v) => [v.name, typeOf(v)]));
  for (const v of graph.output ?? []) types.set(v.name, typeOf(v));
  add('nodes:');
  for (const n of graph.node ?? []) {
    const outs = (n.output ?? []).map((o) => `${o}: ${types.get(o) ?? '?'}`).join(', ');
    const attrs = (n.attribute ?? []).map(attributeText).join(' ');
    const ins = (n.input ?? []).map((i) => (i === '' ? '<none>' : i)).join(', ');
    const nameNote = (n.output ?? []).includes(n.name ?? '') ? '' : ` (node ${n.name})`;
    add(`  ${outs} = ${n.opType}(${ins})${nameNote}${attrs ? ` ${attrs}` : ''}${doc(n.docString)}`);
    for (const a of n.attribute ?? []) if (a.g) lines.push(graphText(a.g, `${indent}    `));
  }
  return lines.join('\n');
}

/** The whole model as text, from its serialized bytes. */
export function modelText(bytes: Uint8Array): string {
  const model = onnx.ModelProto.decode(bytes);
  const lines = [
    `model ir_version ${String(model.irVersion)} opset ${model.opsetImport.map((o) => `${o.domain || 'ai.onnx'}:${String(o.version)}`).join(' ')}`,
    `producer ${model.producerName} ${model.producerVersion} domain ${model.domain} model_version ${String(model.modelVersion)}`,
    `doc ${model.docString}`,
    'metadata:',
    ...model.metadataProps.map((p) => `  ${p.key} = ${p.value}`),
    graphText(model.graph ?? {}),
  ];
  return `${lines.join('\n')}\n`;
}
