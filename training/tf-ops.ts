/**
 * @fileoverview Two tfjs ops with hand-written gradients, because the wasm backend is slow or incomplete here: its
 * transposed matmuls (the default MatMul gradient) run 5-10x slower than an explicit transpose and a plain matmul, and
 * it has no Conv2DBackpropFilter kernel at all.
 */
import * as tf from '@tensorflow/tfjs';

/**
 * y = x W + b for x [n, in], W [in, out], b [out]. Gradients: dx = dy W^T, dW = (dy^T x)^T, db = sum dy, each
 * built from plain matmuls of explicitly transposed operands. With `constantInput` (x depends on no parameter, e.g.
 * the encoded pixels) dx is not computed at all: at T=128 that is a third of the matmul time.
 */
export function linear(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D, constantInput = false): tf.Tensor2D {
  const weightGrads = (dy: tf.Tensor2D, xs: tf.Tensor2D): tf.Tensor[] => [tf.matMul(dy.transpose(), xs).transpose(), dy.sum(0)];
  if (constantInput) {
    const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
      const [wi, bi, save] = args as [tf.Tensor2D, tf.Tensor1D, tf.GradSaveFunc];
      // saved, so the tidy that made x does not dispose it before the backward pass
      save([x]);
      return { value: tf.matMul(x, wi).add(bi), gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => weightGrads(dy as tf.Tensor2D, saved[0] as tf.Tensor2D) };
    });
    return op(w, b) as tf.Tensor2D;
  }
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xi, wi, bi, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D, tf.GradSaveFunc];
    save([xi, wi]);
    return {
      value: tf.matMul(xi, wi).add(bi),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, ws] = saved as [tf.Tensor2D, tf.Tensor2D];
        return [tf.matMul(dy as tf.Tensor2D, ws.transpose()), ...weightGrads(dy as tf.Tensor2D, xs)];
      },
    };
  });
  return op(x, w, b) as tf.Tensor2D;
}

/**
 * Conv of a constant NHWC input by filters [k, k, C, F], differentiable in the filters only. tfjs's wasm backend has no
 * Conv2DBackpropFilter kernel, so the filter gradient is itself a valid conv: dW = conv(x^T, dy^T), the batch axis
 * playing the channel axis. The input gets no gradient: a conv layer always reads the encoded pixels directly.
 */
export function convConstInput(x: tf.Tensor4D, filters: tf.Tensor4D): tf.Tensor4D {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [w, save] = args as [tf.Tensor4D, tf.GradSaveFunc];
    // saved, so the tidy that made x does not dispose it before the backward pass
    save([x]);
    return {
      value: tf.conv2d(x, w, 1, 'valid'),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        tf.conv2d(saved[0]!.transpose([3, 1, 2, 0]) as tf.Tensor4D, dy.transpose([1, 2, 0, 3]) as tf.Tensor4D, 1, 'valid').transpose([1, 2, 0, 3]),
    };
  });
  return op(filters) as tf.Tensor4D;
}

