#!/usr/bin/env bash
# What the tests run besides Node: the real kubectl, skopeo, buildah,
# containerd, docker-registry and htpasswd (apache2-utils), and for the build
# strip (binutils). Installed from Debian's packages when
# missing, so `npm test` works on a fresh machine; does nothing when all are
# there (as inside CI's network namespace, where .ci/run installed them first).
set -euo pipefail
missing=()
command -v strip >/dev/null || missing+=(binutils)
command -v kubectl >/dev/null || missing+=(kubernetes-client)
command -v skopeo >/dev/null || missing+=(skopeo)
command -v buildah >/dev/null || missing+=(buildah)
command -v containerd >/dev/null || missing+=(containerd)
command -v docker-registry >/dev/null || missing+=(docker-registry)
command -v htpasswd >/dev/null || missing+=(apache2-utils)
command -v unshare >/dev/null || missing+=(util-linux)
command -v ip >/dev/null || missing+=(iproute2)
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing the test tools: ${missing[*]}" >&2
if [ "$(id -u)" -ne 0 ]; then
  echo "error: run as root, or install them yourself: apt-get install ${missing[*]}" >&2
  exit 1
fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
