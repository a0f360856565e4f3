#!/usr/bin/env bash
# Reproduces the trained models behind results/paper-tables.md, one run at a time (each uses one core).
# Usage: results/reproduce.sh [name-filter]   e.g. results/reproduce.sh mnist-   (logs in /tmp/snnc-runs/)
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p /tmp/snnc-runs
filter="${1:-}"

run() {
  local name="$1"; shift
  [[ -n "$filter" && "$name" != *"$filter"* ]] && return 0
  echo "== $name: npx snnc train $* --out examples/$name"
  npx snnc train "$@" --out "examples/$name" --checkpoints "/tmp/snnc-runs/$name.ckpt" 2>&1 | tee "/tmp/snnc-runs/$name.log"
}

# MNIST (T=8 for every SNN)
run mnist-snn          --arch snn         --dataset mnist --epochs 15 --timesteps 8 --batch 100 --lr 0.002 --seed 1
run mnist-ann-relu     --arch ann-relu    --dataset mnist --epochs 15 --timesteps 8 --batch 100 --lr 0.002 --seed 1
run mnist-ann-leaky    --arch ann-leaky   --dataset mnist --epochs 15 --timesteps 8 --batch 100 --lr 0.002 --seed 1
run mnist-ann-sigmoid  --arch ann-sigmoid --dataset mnist --epochs 15 --timesteps 8 --batch 100 --lr 0.002 --seed 1
run mnist-snn-binary   --arch snn-binary  --dataset mnist --epochs 15 --timesteps 8 --batch 100 --lr 0.002 --seed 1
run mnist-snn-conv5    --arch snn-conv5   --dataset mnist --epochs 10 --timesteps 8 --batch 100 --lr 0.002 --seed 1
run mnist-snn-conv3    --arch snn-conv3   --dataset mnist --epochs 10 --timesteps 8 --batch 100 --lr 0.002 --seed 1
run mnist-snn-gabor    --arch snn-gabor   --dataset mnist --epochs 10 --timesteps 8 --batch 100 --lr 0.002 --seed 1
