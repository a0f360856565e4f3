"""The float model of docs/model-format.md in PyTorch, batched: the baseline that `npm run bench` compares against.

It reads model.json and weights.bin directly and runs the same equations as runtime/float-reference.ts, in float32 on
a whole batch at once (one matrix product per spiking layer and step):

    x_t = x * u_t                  (jitter, u_t uniform in [0, 1) from torch.rand; `direct`: x_t = x)
    u_t = decay * v_{t-1} + W x_t + b
    o_t = excess: max(u_t - threshold, 0)    binary: u_t > threshold    membrane: u_t
    v_t = u_t > threshold ? reset(u_t) : u_t
    score = sum over t >= begin of the last layer's visible membrane (or output), / (T - begin) for `mean`

Only models of spiking layers (dense synapses or identity) are taken; conv and pool layers are refused in one line.
The jitter noise comes from torch's generator, not from the xorshift32 stream of docs/ir.md, so single images differ
from snnc's float reference while the accuracy over a test set stays comparable.
"""
import json
import os
import sys

import numpy as np
import torch


def fail(message):
    """One line on stderr and exit code 2, as snnc refuses bad input."""
    sys.stderr.write(f"bench/pytorch: {message}\n")
    sys.exit(2)


def tensor(blob, ref, where):
    """A float32 tensor of `ref` ({shape, offset}) from the weights blob."""
    count = int(np.prod(ref["shape"]))
    start = ref["offset"]
    if start % 4 or start + 4 * count > len(blob):
        fail(f"{where}: offset {start} and shape {ref['shape']} lie outside weights.bin ({len(blob)} bytes)")
    data = np.frombuffer(blob, dtype="<f4", count=count, offset=start)
    return torch.from_numpy(data.astype(np.float32)).reshape(ref["shape"])


class SpikingLayer:
    """One spiking layer: the synapse as a transposed weight matrix (inputs x units), and its neuron constants."""

    def __init__(self, spec, blob):
        self.name = spec["name"]
        self.units = spec["units"]
        weights = spec.get("weights")
        self.weights_t = tensor(blob, weights, self.name).t().contiguous() if weights else None
        self.bias = tensor(blob, spec["bias"], self.name)
        self.decay = float(spec["decay"])
        self.threshold = float(spec["threshold"])
        self.output = spec["output"]
        self.reset = spec["reset"]
        self.delay = spec["delay"]

    def current(self, x):
        """W x + b for a batch x [B, inputs] (the identity synapse: x + b)."""
        if self.weights_t is None:
            return x + self.bias
        return torch.addmm(self.bias, x, self.weights_t)

    def step(self, v, x):
        """One timestep: the new membrane u and output o; v is updated in place to v_t."""
        u = self.current(x).add_(v, alpha=self.decay)
        if self.output == "membrane":
            v.copy_(u)
            return u, u
        fired = u > self.threshold
        o = torch.clamp(u - self.threshold, min=0) if self.output == "excess" else fired.to(u.dtype)
        v.copy_(torch.where(fired, self.after_spike(u), u))
        return u, o

    def after_spike(self, u):
        kind = self.reset["kind"]
        if kind == "refractory":
            return u * (1 - self.reset["penalty"] / self.threshold)
        if kind == "subtract":
            return u - self.threshold
        if kind == "zero":
            return torch.zeros_like(u)
        if kind == "value":
            return torch.full_like(u, float(self.reset["value"]))
        fail(f"layer {self.name}: reset {kind} on a layer that fires")


class SnnModel:
    """A model directory (model.json + weights.bin) of spiking layers, run on batches of pixel rows."""

    def __init__(self, model_dir):
        with open(os.path.join(model_dir, "model.json"), encoding="utf-8") as f:
            spec = json.load(f)
        if spec.get("kind") != "snn":
            fail(f"{model_dir}: kind {spec.get('kind')!r}; this baseline runs snn models only")
        with open(os.path.join(model_dir, spec["weightsFile"]["path"]), "rb") as f:
            blob = f.read()
        if len(blob) != spec["weightsFile"]["bytes"]:
            fail(f"{model_dir}: weights.bin has {len(blob)} bytes, model.json says {spec['weightsFile']['bytes']}")
        for layer in spec["layers"]:
            if layer["kind"] != "spiking":
                fail(f"{model_dir}: layer {layer['name']} is {layer['kind']}; this baseline runs spiking layers only")
        self.name = spec["metadata"]["name"]
        self.scale = float(spec["input"]["scale"])
        self.jitter = spec["encoder"]["kind"] == "jitter"
        self.timesteps = spec["timesteps"]
        self.readout = spec["readout"]
        self.layers = [SpikingLayer(layer, blob) for layer in spec["layers"]]

    def scores(self, pixels, timesteps):
        """Scores [B, classes] of pixels [B, C*H*W] (uint8 tensor) over `timesteps` steps."""
        batch = pixels.shape[0]
        x = pixels.to(torch.float32).mul_(self.scale)
        noise = torch.empty_like(x)
        v = [torch.zeros(batch, layer.units) for layer in self.layers]
        pending = [(torch.zeros(batch, layer.units),) * 2 for layer in self.layers]
        begin = self.readout["begin"]
        from_output = self.readout.get("source", "membrane") == "output"
        scores = torch.zeros(batch, self.layers[-1].units)
        for t in range(timesteps):
            act = x * torch.rand(noise.shape, out=noise) if self.jitter else x
            for k, layer in enumerate(self.layers):
                u, o = layer.step(v[k], act)
                if layer.delay == 1:
                    (u, o), pending[k] = pending[k], (u, o)
                act = o
            if t >= begin:
                scores.add_(o if from_output else u)
        if self.readout["kind"] == "mean":
            scores.div_(timesteps - begin)
        return scores


def read_idx(path):
    """An IDX file of unsigned bytes (the MNIST container) as a numpy array of its dimensions."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] != 0x08:
        fail(f"{path}: not an IDX file of unsigned bytes")
    dims = [int.from_bytes(data[4 + 4 * d : 8 + 4 * d], "big") for d in range(data[3])]
    header = 4 + 4 * len(dims)
    if len(data) != header + int(np.prod(dims)):
        fail(f"{path}: {len(data)} bytes, dims {dims} need {header + int(np.prod(dims))}")
    return np.frombuffer(data, dtype=np.uint8, offset=header).reshape(dims)


def mnist_test(mnist_dir):
    """The 10,000 MNIST test images as a uint8 tensor [N, 784], and their labels."""
    images = read_idx(os.path.join(mnist_dir, "t10k-images-idx3-ubyte"))
    labels = read_idx(os.path.join(mnist_dir, "t10k-labels-idx1-ubyte"))
    return torch.from_numpy(images.reshape(images.shape[0], -1).copy()), torch.from_numpy(labels.astype(np.int64))
