/** @fileoverview The one Verilog printer: turns a netlist `Module` (netlist.ts) into Verilog-2005 text. */
import type { Expr, Item, Module, Param, Port, Stmt } from './netlist.ts';

const INDENT = '  ';

function isAtom(e: Expr): boolean {
  return e.kind !== 'binary' && e.kind !== 'cond' && e.kind !== 'unary' && !(e.kind === 'num' && e.value < 0n && e.width === undefined);
}

function wrap(e: Expr): string {
  return isAtom(e) ? expr(e) : `(${expr(e)})`;
}

function number(value: bigint, width: number | undefined, isSigned: boolean | undefined): string {
  if (width === undefined) return value.toString();
  if (value >= 0n && value < 2n ** 32n) return `${width}'${isSigned ? 's' : ''}d${value}`;
  const twos = value < 0n ? (1n << BigInt(width)) + value : value;
  return `${width}'${isSigned ? 's' : ''}h${twos.toString(16)}`;
}

export function expr(e: Expr): string {
  switch (e.kind) {
    case 'ref':
      return e.name;
    case 'num':
      return number(e.value, e.width, e.signed);
    case 'str':
      return JSON.stringify(e.value);
    case 'unary':
      return `${e.op}${wrap(e.arg)}`;
    case 'binary':
      return `${wrap(e.left)} ${e.op} ${wrap(e.right)}`;
    case 'cond':
      return `${wrap(e.test)} ? ${wrap(e.then)} : ${wrap(e.else)}`;
    case 'index':
      return `${wrap(e.base)}[${expr(e.index)}]`;
    case 'range':
      return `${wrap(e.base)}[${expr(e.msb)}:${expr(e.lsb)}]`;
    case 'part':
      return `${wrap(e.base)}[${expr(e.start)} +: ${expr(e.width)}]`;
    case 'concat':
      return `{${e.parts.map(expr).join(', ')}}`;
    case 'repeat':
      return `{${wrap(e.count)}{${expr(e.arg)}}}`;
    case 'call':
      return `${e.fn}(${e.args.map(expr).join(', ')})`;
  }
}

/** `[W-1:0]` for a bit count W (`[0:0]` for an explicit single bit, so it can be indexed). */
function bits(width: Expr | undefined): string {
  if (width === undefined) return '';
  if (width.kind === 'num') return `[${width.value - 1n}:0] `;
  return `[${wrap(width)}-1:0] `;
}

function stmts(body: readonly Stmt[], depth: number): string[] {
  return body.flatMap((s) => stmt(s, depth));
}

function blockOf(head: string, body: readonly Stmt[], depth: number): string[] {
  const pad = INDENT.repeat(depth);
  return [`${pad}${head} begin`, ...stmts(body, depth + 1), `${pad}end`];
}

function stmt(s: Stmt, depth: number): string[] {
  const pad = INDENT.repeat(depth);
  switch (s.kind) {
    case 'assign':
      return [`${pad}${expr(s.target)} ${s.blocking ? '=' : '<='} ${expr(s.value)};`];
    case 'if': {
      const lines = blockOf(`if (${expr(s.test)})`, s.then, depth);
      let rest = s.else;
      while (rest.length === 1 && rest[0]!.kind === 'if') {
        const inner = rest[0] as Extract<Stmt, { kind: 'if' }>;
        lines[lines.length - 1] = `${pad}end else if (${expr(inner.test)}) begin`;
        lines.push(...stmts(inner.then, depth + 1), `${pad}end`);
        rest = inner.else;
      }
      if (rest.length > 0) {
        lines[lines.length - 1] = `${pad}end else begin`;
        lines.push(...stmts(rest, depth + 1), `${pad}end`);
      }
      return lines;
    }
    case 'case': {
      const lines = [`${pad}case (${expr(s.subject)})`];
      for (const arm of s.arms) lines.push(...blockOf(`${arm.labels.map(expr).join(', ')}:`, arm.body, depth + 1));
      lines.push(...blockOf('default:', s.default, depth + 1), `${pad}endcase`);
      return lines;
    }
    case 'for':
      return blockOf(`for (${s.variable} = ${expr(s.from)}; ${s.variable} < ${wrap(s.below)}; ${s.variable} = ${s.variable} + 1)`, s.body, depth);
    case 'while':
      return blockOf(`while (${expr(s.test)})`, s.body, depth);
    case 'forever':
      return blockOf('forever', s.body, depth);
    case 'task':
      return [`${pad}${s.task}${s.args.length > 0 ? `(${s.args.map(expr).join(', ')})` : ''};`];
    case 'wait-edge':
      return [`${pad}@(${s.edge} ${expr(s.signal)});`];
    case 'delay':
      return [`${pad}#${s.amount};`];
  }
}

function genvars(items: readonly Item[]): string[] {
  const names = new Set<string>();
  const visit = (list: readonly Item[]): void => {
    for (const item of list) {
      if (item.kind === 'generate-for') {
        names.add(item.genvar);
        visit(item.items);
      } else if (item.kind === 'generate-if') {
        visit(item.then);
        visit(item.else);
      }
    }
  };
  visit(items);
  return [...names];
}

function item(it: Item, depth: number, inGenerate: boolean): string[] {
  const pad = INDENT.repeat(depth);
  switch (it.kind) {
    case 'comment':
      return [`${pad}// ${it.text}`];
    case 'net': {
      const type = it.net === 'integer' ? 'integer' : `${it.net} ${it.signed ? 'signed ' : ''}${bits(it.width)}`.trimEnd();
      const depthText = it.depth ? ` [0:${wrap(it.depth)}-1]` : '';
      const init = it.init ? ` = ${expr(it.init)}` : '';
      return [`${pad}${type} ${it.name}${depthText}${init};`];
    }
    case 'localparam':
      return [`${pad}localparam ${it.width ? `${it.signed ? 'signed ' : ''}${bits(it.width)}` : 'integer '}${it.name} = ${expr(it.value)};`];
    case 'assign':
      return [`${pad}assign ${expr(it.target)} = ${expr(it.value)};`];
    case 'always':
      return blockOf(it.clock ? `always @(posedge ${expr(it.clock)})` : 'always @*', it.body, depth);
    case 'initial':
      return blockOf('initial', it.body, depth);
    case 'instance': {
      const connect = (pairs: readonly (readonly [string, Expr])[]): string[] =>
        pairs.map(([name, value], i) => `${pad}${INDENT}.${name}(${expr(value)})${i < pairs.length - 1 ? ',' : ''}`);
      if (it.params.length === 0) return [`${pad}${it.module} ${it.name} (`, ...connect(it.ports), `${pad});`];
      return [`${pad}${it.module} #(`, ...connect(it.params), `${pad}) ${it.name} (`, ...connect(it.ports), `${pad});`];
    }
    case 'generate-for': {
      const g = it.genvar;
      const body = [`${pad}for (${g} = 0; ${g} < ${wrap(it.count)}; ${g} = ${g} + 1) begin : ${it.label}`, ...items(it.items, depth + 1, true), `${pad}end`];
      return inGenerate ? body : [`${pad}generate`, ...body, `${pad}endgenerate`];
    }
    case 'generate-if': {
      const body = [`${pad}if (${expr(it.test)}) begin : ${it.label}`, ...items(it.then, depth + 1, true)];
      if (it.else.length > 0) body.push(`${pad}end else begin : ${it.label}_else`, ...items(it.else, depth + 1, true));
      body.push(`${pad}end`);
      return inGenerate ? body : [`${pad}generate`, ...body, `${pad}endgenerate`];
    }
  }
}

function items(list: readonly Item[], depth: number, inGenerate: boolean): string[] {
  return list.flatMap((it) => item(it, depth, inGenerate));
}

function param(p: Param): string {
  const type = p.type === 'integer' ? 'integer ' : p.type === 'string' ? '' : `${p.type.signed ? 'signed ' : ''}${bits(p.type.width)}`;
  return `parameter ${type}${p.name} = ${expr(p.value)}`;
}

function port(p: Port): string {
  return `${p.dir} ${p.reg ? 'reg' : 'wire'} ${p.signed ? 'signed ' : ''}${bits(p.width)}${p.name}`;
}

/** The whole file for one module. */
export function printModule(m: Module): string {
  const lines: string[] = [];
  // Every file carries the same timescale: the linter wants all modules to agree once the bench has one.
  lines.push('`timescale 1ns / 1ps');
  lines.push(`// ${m.name}: ${m.doc}`, '// Generated by snnc; edit the generator (targets/verilog), not this file.');
  const params = m.params.map((p, i) => `${INDENT}${param(p)}${i < m.params.length - 1 ? ',' : ''}${p.doc ? ` // ${p.doc}` : ''}`);
  const ports = m.ports.map((p, i) => `${INDENT}${port(p)}${i < m.ports.length - 1 ? ',' : ''}`);
  if (params.length > 0) lines.push(`module ${m.name} #(`, ...params, ports.length > 0 ? ') (' : ');');
  else lines.push(ports.length > 0 ? `module ${m.name} (` : `module ${m.name};`);
  if (ports.length > 0) lines.push(...ports, ');');
  const vars = genvars(m.items);
  if (vars.length > 0) lines.push(`${INDENT}genvar ${vars.join(', ')};`);
  lines.push(...items(m.items, 1, false), 'endmodule', '');
  return lines.join('\n');
}
