#!/usr/bin/env bash
# What the build and the tests run besides Node: the real kubectl, skopeo,
# buildah, containerd, docker-registry and htpasswd (apache2-utils); for the
# build strip (binutils), and for the linux/arm64 executable qemu-user-static,
# aarch64 binutils and Debian's arm64 cross glibc and libstdc++; for the arm64
# node-setup image Debian's arm64 util-linux, libselinux1 and libpcre2 (its
# nsenter), downloaded into .cache/arm64-debs; and the Node of each other
# platform (scripts/platform-node.mjs, from the npm registry). Installed when
# missing, so `npm test` works on a fresh machine; does nothing when all are
# there (as inside CI's network namespace, where .ci/run ran it first).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
missing=()
command -v strip >/dev/null || missing+=(binutils)
command -v readelf >/dev/null || missing+=(binutils)
command -v kubectl >/dev/null || missing+=(kubernetes-client)
command -v skopeo >/dev/null || missing+=(skopeo)
command -v buildah >/dev/null || missing+=(buildah)
command -v containerd >/dev/null || missing+=(containerd)
command -v docker-registry >/dev/null || missing+=(docker-registry)
command -v htpasswd >/dev/null || missing+=(apache2-utils)
command -v unshare >/dev/null || missing+=(util-linux)
command -v ip >/dev/null || missing+=(iproute2)
command -v file >/dev/null || missing+=(file)
command -v qemu-aarch64-static >/dev/null || missing+=(qemu-user-static)
command -v aarch64-linux-gnu-strip >/dev/null || missing+=(binutils-aarch64-linux-gnu)
[ -e /usr/aarch64-linux-gnu/lib/libc.so.6 ] || missing+=(libc6-arm64-cross)
[ -e /usr/aarch64-linux-gnu/lib/libstdc++.so.6 ] || missing+=(libstdc++6-arm64-cross)

arm64_debs=$root/.cache/arm64-debs
arm64_packages=(util-linux libselinux1 libpcre2-8-0)
arm64_missing=()
for p in "${arm64_packages[@]}"; do compgen -G "$arm64_debs/${p}_*_arm64.deb" >/dev/null || arm64_missing+=("$p:arm64"); done

node_missing=$(node "$root/scripts/platform-node.mjs" --missing)

[ ${#missing[@]} -eq 0 ] && [ ${#arm64_missing[@]} -eq 0 ] && [ -z "$node_missing" ] && exit 0
if [ ${#missing[@]} -gt 0 ] || [ ${#arm64_missing[@]} -gt 0 ]; then
  echo "installing the build and test tools: ${missing[*]} ${arm64_missing[*]}" >&2
  if [ "$(id -u)" -ne 0 ]; then
    echo "error: run as root, or install them yourself: apt-get install ${missing[*]}; dpkg --add-architecture arm64 && apt-get update && (cd $arm64_debs && apt-get download ${arm64_missing[*]})" >&2
    exit 1
  fi
  if [ ${#arm64_missing[@]} -gt 0 ] && ! dpkg --print-foreign-architectures | grep -qx arm64; then
    dpkg --add-architecture arm64
  fi
  apt-get update -qq
  [ ${#missing[@]} -eq 0 ] || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
  if [ ${#arm64_missing[@]} -gt 0 ]; then
    mkdir -p "$arm64_debs"
    # apt's own user cannot write to a directory root made; the download is checked against the signed index all the same.
    (cd "$arm64_debs" && apt-get download -qq "${arm64_missing[@]}" 2>&1 | grep -v '^W: Download is performed unsandboxed' || true)
    for p in "${arm64_packages[@]}"; do
      compgen -G "$arm64_debs/${p}_*_arm64.deb" >/dev/null || { echo "error: could not download $p:arm64" >&2; exit 1; }
    done
  fi
fi
[ -z "$node_missing" ] || node "$root/scripts/platform-node.mjs"
