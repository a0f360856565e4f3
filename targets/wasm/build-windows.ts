/**
 * @fileoverview Builders of the stateless window layers (docs/ir.md "Windows"), as gathers over the dense input in
 * i64: conv `y = clamp(roundShift(bias_f + sum w x, outShift_f), outType)`, pool `y = clamp(scaleBy(sum x, scale),
 * outType)`; padding reads as zero. Each output is written to the dense vector and, when a dense layer follows, to
 * its event list.
 */
import type { EventList } from './layout.ts';
import type { ConvPlan, PoolPlan } from './plan.ts';
import {
  clampLocal64, forRange, get, i32, i64, ifThen, load, op, roundShift64, set, store, type Code, type Locals,
} from './wasm-data.ts';

/**
 * `list += (index * rowBytes, value)` if value != 0, without a branch: the entry is always written at the end of the
 * list, which grows by 8 bytes only for a nonzero value. `bytes` counts the list's bytes so far.
 */
export function appendEvent(list: EventList | undefined, bytes: string, index: Code, value: string): Code {
  if (!list) return [];
  return [
    ...store('i32.store', get(bytes), op('i32.mul', index, i32(list.rowBytes)), list.at),
    ...store('i32.store', get(bytes), get(value), list.at + 4),
    ...set(bytes, op('i32.add', get(bytes), op('i32.shl', op('i32.ne', get(value), i32(0)), i32(3)))),
  ];
}

/** Stores the list's byte count. */
export function closeList(list: EventList | undefined, bytes: string): Code {
  return list ? store('i32.store', i32(0), get(bytes), list.countAt) : [];
}

/** `body` only for taps (yy, xx) inside the image: padding contributes zero. */
function ifInside(height: number, width: number, body: Code): Code {
  return ifThen(op('i32.and', op('i32.lt_u', get('yy'), i32(height)), op('i32.lt_u', get('xx'), i32(width))), body);
}

const inputAddr = (height: number, width: number): Code =>
  op('i32.shl', op('i32.add', op('i32.mul', op('i32.add', op('i32.mul', get('c'), i32(height)), get('yy')), i32(width)), get('xx')), i32(2));

/** Loops over output positions (oy, ox), tap rows and columns; `tap` runs for taps inside the image. */
function windows(shape: readonly [number, number, number], stride: number, padding: number, kernel: number, perOutput: { before: Code; tap: Code; after: Code }): Code {
  const [, outH, outW] = shape;
  return forRange('oy', i32(0), i32(outH), 1, forRange('ox', i32(0), i32(outW), 1, [
    ...perOutput.before,
    ...forRange('ky', i32(0), i32(kernel), 1, [
      ...set('yy', op('i32.sub', op('i32.add', op('i32.mul', get('oy'), i32(stride)), get('ky')), i32(padding))),
      ...forRange('kx', i32(0), i32(kernel), 1, [
        ...set('xx', op('i32.sub', op('i32.add', op('i32.mul', get('ox'), i32(stride)), get('kx')), i32(padding))),
        ...perOutput.tap,
      ]),
    ]),
    ...perOutput.after,
  ]));
}

function declare(locals: Locals): void {
  for (const name of ['f', 'c', 'oy', 'ox', 'ky', 'kx', 'yy', 'xx', 'outp', 'nb', 'ov']) locals.add(name, 'i32');
  locals.add('acc', 'i64');
  locals.add('sh', 'i64');
}

/** The clamp, the store to the dense output, the event; advances the output pointer. */
function emitOutput(plan: ConvPlan | PoolPlan): Code {
  return [
    ...clampLocal64('acc', plan.outLo, plan.outHi),
    ...set('ov', op('i32.wrap_i64', get('acc'))),
    ...store('i32.store', get('outp'), get('ov'), plan.out.dense!),
    ...appendEvent(plan.out.list, 'nb', op('i32.shr_u', get('outp'), i32(2)), 'ov'),
    ...set('outp', op('i32.add', get('outp'), i32(4))),
  ];
}

export function buildConv(plan: ConvPlan, locals: Locals): Code {
  declare(locals);
  const { op: conv } = plan;
  const [channels, height, width] = conv.inShape;
  const k = conv.kernel;
  // weights[f, c, ky, kx] at ((f*C + c)*k + ky)*k + kx.
  const weightAddr = op('i32.shl', op('i32.add', op('i32.mul', op('i32.add', op('i32.mul', op('i32.add', op('i32.mul', get('f'), i32(channels)), get('c')), i32(k)), get('ky')), i32(k)), get('kx')), i32(2));
  const product = op('i64.mul',
    op('i64.extend_i32_s', load('i32.load', weightAddr, plan.weightsAt)),
    op('i64.extend_i32_s', load('i32.load', inputAddr(height, width), plan.input.dense!)));
  return [
    ...set('outp', i32(0)),
    ...set('nb', i32(0)),
    ...forRange('f', i32(0), i32(conv.outShape[0]), 1, windows(conv.outShape, conv.stride, conv.padding, k, {
      before: set('acc', load('i64.load', op('i32.shl', get('f'), i32(3)), plan.biasAt)),
      tap: ifInside(height, width, forRange('c', i32(0), i32(channels), 1, set('acc', op('i64.add', get('acc'), product)))),
      after: [
        ...set('sh', op('i64.extend_i32_u', load('i32.load', op('i32.shl', get('f'), i32(2)), plan.shiftAt))),
        ...set('acc', op('i64.shr_s', op('i64.add', get('acc'), op('i64.shr_s', op('i64.shl', i64(1), get('sh')), i64(1))), get('sh'))),
        ...emitOutput(plan),
      ],
    })),
    ...closeList(plan.out.list, 'nb'),
  ];
}

export function buildPool(plan: PoolPlan, locals: Locals): Code {
  declare(locals);
  const pool = plan.op;
  const [, height, width] = pool.inShape;
  const input = plan.input.dense!;
  const scaled = plan.scale.mul === 0 ? i64(0) : roundShift64(op('i64.mul', get('acc'), i64(plan.scale.mul)), plan.scale.shift);
  return [
    ...set('outp', i32(0)),
    ...set('nb', i32(0)),
    ...forRange('c', i32(0), i32(pool.outShape[0]), 1, windows(pool.outShape, pool.stride, pool.padding, pool.kernel, {
      before: set('acc', i64(0)),
      tap: ifInside(height, width, set('acc', op('i64.add', get('acc'), op('i64.extend_i32_s', load('i32.load', inputAddr(height, width), input))))),
      after: [...set('acc', scaled), ...emitOutput(plan)],
    })),
    ...closeList(plan.out.list, 'nb'),
  ];
}
