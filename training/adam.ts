/**
 * @fileoverview Adam (Kingma & Ba 2015, the paper's efficient form) with a settable step size and a state that saves
 * and restores exactly. tfjs's own Adam recomputes its bias corrections on restore, so a resumed run drifted by
 * float32 rounding; here the corrections come from the step count, in float64, every step.
 */
import * as tf from '@tensorflow/tfjs';

const BETA1 = 0.9;
const BETA2 = 0.999;
const EPSILON = 1e-8;

export interface AdamState {
  readonly step: number;
  /** First and second moments, one pair per variable, as flat float32 arrays. */
  readonly moments: readonly { readonly m: Float32Array; readonly v: Float32Array }[];
}

export class Adam {
  private step = 0;
  private readonly m: tf.Variable[];
  private readonly v: tf.Variable[];

  constructor(private readonly variables: readonly tf.Variable[]) {
    this.m = variables.map((x) => tf.variable(tf.zerosLike(x), false));
    this.v = variables.map((x) => tf.variable(tf.zerosLike(x), false));
  }

  /** One update with step size `lr`; `grads[i]` belongs to `variables[i]`. */
  apply(grads: readonly tf.Tensor[], lr: number): void {
    this.step++;
    const alpha = (lr * Math.sqrt(1 - BETA2 ** this.step)) / (1 - BETA1 ** this.step);
    tf.tidy(() => {
      this.variables.forEach((x, i) => {
        const g = grads[i]!;
        const m = this.m[i]!.mul(BETA1).add(g.mul(1 - BETA1));
        const v = this.v[i]!.mul(BETA2).add(g.square().mul(1 - BETA2));
        this.m[i]!.assign(m);
        this.v[i]!.assign(v);
        x.assign(x.sub(m.mul(alpha).div(v.sqrt().add(EPSILON))));
      });
    });
  }

  state(): AdamState {
    return {
      step: this.step,
      moments: this.m.map((m, i) => ({ m: Float32Array.from(m.dataSync()), v: Float32Array.from(this.v[i]!.dataSync()) })),
    };
  }

  restore(state: AdamState): void {
    if (state.moments.length !== this.m.length) throw new Error(`optimizer state has ${state.moments.length} variables, the model ${this.m.length}`);
    this.step = state.step;
    state.moments.forEach(({ m, v }, i) => {
      this.m[i]!.assign(tf.tensor(m, this.m[i]!.shape));
      this.v[i]!.assign(tf.tensor(v, this.v[i]!.shape));
    });
  }

  dispose(): void {
    tf.dispose([...this.m, ...this.v]);
  }
}
