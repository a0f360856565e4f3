#!/bin/sh
# Installs the PyTorch baseline of `npm run bench` on Debian (bookworm): python3-torch with OpenBLAS as the BLAS.
# Run as root, by hand, on a benchmark machine; CI never runs it (the bench reports PyTorch as not measured instead).
#
# Why OpenBLAS: `apt-get install --no-install-recommends python3-torch` leaves libblas.so.3 pointing at netlib's
# reference BLAS, which makes PyTorch 7-20x slower than a default install; a baseline measured that way is no baseline.
set -eu

if [ "$(id -u)" != 0 ]; then
  echo "setup-pytorch.sh: run as root (it calls apt-get and update-alternatives)" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y python3-torch libopenblas0 python3-numpy

# libblas.so.3 is a Debian alternative; point it at OpenBLAS (pthread build, which torch's BLAS calls reach).
arch_dir=/usr/lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo x86_64-linux-gnu)
link_name=libblas.so.3-$(basename "$arch_dir")
openblas=$(update-alternatives --list "$link_name" | grep openblas | head -n 1 || true)
if [ -z "$openblas" ]; then
  echo "setup-pytorch.sh: no OpenBLAS alternative for $link_name after installing libopenblas0" >&2
  exit 1
fi
update-alternatives --set "$link_name" "$openblas"
for name in "$link_name" "liblapack.so.3-$(basename "$arch_dir")"; do
  echo "$name -> $(readlink -f "$arch_dir/$(echo "$name" | sed 's/-[^-]*-linux-gnu$//')")"
done

# What the interpreter that the bench uses actually loads.
/usr/bin/python3 - <<'PY'
import torch
torch.ones(64, 64) @ torch.ones(64, 64)
libs = sorted({line.split()[-1] for line in open('/proc/self/maps') if 'blas' in line})
print('torch', torch.__version__, 'loads', ', '.join(libs))
PY
