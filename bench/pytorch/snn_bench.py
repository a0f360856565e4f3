"""Images/s of the float model in PyTorch (batched, float32, torch.no_grad) on N threads, as JSON on stdout.

    OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 bench/pytorch/snn_bench.py --model examples/mnist-snn \
        --mnist ~/.cache/snnc/mnist --threads 1 --timesteps 8,128 [--images 2000] [--batch 1000] [--accuracy]

Each figure is the best of --passes passes over --images MNIST test images (wall clock: time.perf_counter; CPU:
time.process_time, every thread of the process). It names the BLAS whose sgemm_ torch calls (dlsym through
libtorch_cpu, then dladdr; /proc/self/maps lists the rest), which is what decides PyTorch's speed on Debian: netlib's reference BLAS is 7-20x slower than
OpenBLAS. bench/run.ts and bench/scaling.ts run it; bench/setup-pytorch.sh installs what it needs.
"""
import argparse
import ctypes
import json
import os
import re
import sys
import time

# Before torch loads OpenMP and OpenBLAS: idle threads sleep instead of spinning on a shared machine.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import torch  # noqa: E402

from snn_model import SnnModel, fail, mnist_test  # noqa: E402


def mapped_files():
    """Real paths of every file mapped into this process."""
    with open("/proc/self/maps", encoding="utf-8") as maps:
        return sorted({os.path.realpath(line.split()[-1]) for line in maps if "/" in line})


class DlInfo(ctypes.Structure):
    _fields_ = [("dli_fname", ctypes.c_char_p), ("dli_fbase", ctypes.c_void_p), ("dli_sname", ctypes.c_char_p), ("dli_saddr", ctypes.c_void_p)]


def sgemm_provider():
    """The file whose sgemm_ libtorch_cpu binds to: dlsym through torch's own handle (it and its dependencies), then dladdr."""
    torch.ones(64, 64) @ torch.ones(64, 64)
    libtorch = [path for path in mapped_files() if os.path.basename(path).startswith("libtorch_cpu.so")]
    if not libtorch:
        return None
    try:
        address = ctypes.cast(ctypes.CDLL(libtorch[0]).sgemm_, ctypes.c_void_p)
    except AttributeError:
        return None
    info = DlInfo()
    libc = ctypes.CDLL("libc.so.6")
    if not libc.dladdr(address, ctypes.byref(info)):
        return None
    return os.path.realpath(info.dli_fname.decode())


def blas_name(provider):
    """A short name for the BLAS that provides sgemm_ (e.g. "OpenBLAS 0.3.21 (Haswell)"), and OpenBLAS's handle."""
    if provider is None:
        return "unknown BLAS (no sgemm_ found through libtorch_cpu)", None
    lib = ctypes.CDLL(provider)
    if hasattr(lib, "openblas_get_config"):
        lib.openblas_get_config.restype = ctypes.c_char_p
        lib.openblas_get_corename.restype = ctypes.c_char_p
        config = lib.openblas_get_config().decode().split()
        return f"{' '.join(config[:2])} ({lib.openblas_get_corename().decode()})", lib
    if "mkl" in provider:
        return "MKL", None
    if "/blas/" in provider:
        return "netlib reference BLAS", None
    return f"BLAS of {provider}", None


def torch_build_blas():
    """What torch says it was built with: BLAS_INFO, oneDNN, and the parallel backend."""
    show = torch.__config__.show()
    info = re.search(r"BLAS_INFO=([^,\s]+)", show)
    onednn = re.search(r"MKL-DNN (v[0-9.]+)", show)
    backend = re.search(r"ATen parallel backend: (.+)", torch.__config__.parallel_info())
    return {
        "blasInfo": info.group(1) if info else "not stated",
        "oneDnn": onednn.group(1) if onednn else "no",
        "parallelBackend": backend.group(1).strip() if backend else "not stated",
    }


def timed(model, images, timesteps, batch, passes):
    """Best wall and CPU seconds over `passes` passes of `images` in batches of `batch` (a warm-up batch first)."""
    model.scores(images[:batch], timesteps)
    wall, cpu = float("inf"), float("inf")
    for _ in range(passes):
        wall_start, cpu_start = time.perf_counter(), time.process_time()
        for start in range(0, images.shape[0], batch):
            model.scores(images[start : start + batch], timesteps)
        wall = min(wall, time.perf_counter() - wall_start)
        cpu = min(cpu, time.process_time() - cpu_start)
    return wall, cpu


def accuracy(model, images, labels, batch):
    """Correct labels over every image at the model's own T (torch's jitter, seeded 0)."""
    torch.manual_seed(0)
    correct = 0
    for start in range(0, images.shape[0], batch):
        predicted = model.scores(images[start : start + batch], model.timesteps).argmax(dim=1)
        correct += int((predicted == labels[start : start + batch]).sum())
    return correct


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", required=True)
    parser.add_argument("--mnist", required=True, help="folder of the MNIST IDX files (snnc's cache)")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--timesteps", default="8,128", help="comma-separated T values")
    parser.add_argument("--images", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--passes", type=int, default=3)
    parser.add_argument("--accuracy", action="store_true", help="also the accuracy on all 10,000 test images")
    args = parser.parse_args()
    if args.threads < 1 or args.images < 1 or args.batch < 1:
        fail("--threads, --images and --batch must be positive")
    timesteps = [int(t) for t in args.timesteps.split(",")]
    torch.set_num_threads(args.threads)
    provider = sgemm_provider()
    name, openblas = blas_name(provider)
    paths = [path for path in mapped_files() if any(word in os.path.basename(path) for word in ("blas", "lapack", "mkl", "dnnl"))]
    if openblas is not None:
        openblas.openblas_set_num_threads(args.threads)
    model = SnnModel(args.model)
    images, labels = mnist_test(args.mnist)
    timed_images = images[: args.images]
    result = {
        "torch": torch.__version__,
        "python": sys.version.split()[0],
        "blas": name,
        "sgemmFrom": provider,
        "blasLibraries": paths,
        **torch_build_blas(),
        "threads": torch.get_num_threads(),
        "ompWaitPolicy": os.environ.get("OMP_WAIT_POLICY"),
        "batch": args.batch,
        "passes": args.passes,
        "measurements": [],
    }
    with torch.no_grad():
        for t in timesteps:
            wall, cpu = timed(model, timed_images, t, args.batch, args.passes)
            result["measurements"].append({"timesteps": t, "images": timed_images.shape[0], "wallSeconds": wall, "cpuSeconds": cpu})
        if args.accuracy:
            result["accuracy"] = {"timesteps": model.timesteps, "images": images.shape[0], "correct": accuracy(model, images, labels, args.batch)}
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
