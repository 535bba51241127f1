#!/usr/bin/env bash
# Builds dist/acr-node-setup-image.tar, an OCI image archive holding the one
# executable (the node installer, the provider, and kubectl-acr, which the
# Secret sync's Deployment runs), a link per role name, and nsenter; FROM
# scratch plus exactly the shared libraries `ldd` says they load (taken from
# this Debian machine's packages).
# No daemon: buildah with the vfs driver and chroot isolation, in a private
# storage root that is removed afterwards. Push with skopeo:
#   skopeo copy oci-archive:dist/acr-node-setup-image.tar docker://<registry>/<repo>/acr-node-setup:<tag>
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
dist=$root/dist
out=$dist/acr-node-setup-image.tar
version=$(sed -n 's/^  "version": "\(.*\)",$/\1/p' "$root/package.json")
executables=("$dist/acr-credentials" "$(command -v nsenter)")
# The names the DaemonSet, node-setup and the sync Deployment start it by (build.mjs makes the same links in dist/).
roles=(acr-node-setup acr-credential-provider kubectl-acr docker-credential-acr)

for tool in buildah ldd; do
  command -v "$tool" >/dev/null || { echo "build-image: $tool is needed (apt-get install buildah)" >&2; exit 1; }
done
for exe in "${executables[@]}"; do
  [ -x "$exe" ] || { echo "build-image: $exe is missing: run \`npm run build\` first" >&2; exit 1; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/acr-node-setup-image.XXXXXX")
export BUILDAH_ISOLATION=chroot
storage=(--storage-driver vfs --root "$work/storage" --runroot "$work/run")
container=''
cleanup() {
  [ -n "$container" ] && buildah "${storage[@]}" rm "$container" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

# The image's filesystem, staged: executables at /, libraries at the paths the loader looks them up.
rootfs=$work/rootfs
mkdir -p "$rootfs/usr/bin" "$rootfs/tmp" "$rootfs/run"
chmod 1777 "$rootfs/tmp"
install -m 0755 "$dist/acr-credentials" "$rootfs/"
for role in "${roles[@]}"; do ln -s acr-credentials "$rootfs/$role"; done
install -m 0755 "$(command -v nsenter)" "$rootfs/usr/bin/nsenter"
libraries=$(for exe in "${executables[@]}"; do ldd "$exe"; done | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' | sort -u)
packages=()
for lib in $libraries; do
  mkdir -p "$rootfs$(dirname "$lib")"
  cp -L "$lib" "$rootfs$lib"
  # dpkg knows a library by the path its package installed (merged-/usr moves one of the two).
  packages+=("$({ dpkg -S "$lib" || dpkg -S "$(readlink -f "$lib")"; } 2>/dev/null | cut -d: -f1 | head -n1 || true)")
done
package_list=$(printf '%s\n' "${packages[@]}" | sort -u | grep -v '^$' | while read -r p; do echo "$p=$(dpkg-query -W -f='${Version}' "$p")"; done | paste -sd, -)

container=$(buildah "${storage[@]}" from scratch)
buildah "${storage[@]}" copy --quiet "$container" "$rootfs/" / >/dev/null
buildah "${storage[@]}" config \
  --entrypoint '["/acr-node-setup"]' \
  --cmd '["--help"]' \
  --env PATH=/usr/sbin:/usr/bin:/sbin:/bin \
  --label org.opencontainers.image.title=acr-node-setup \
  --label org.opencontainers.image.description="ACR kubelet credential provider and its node installer" \
  --label org.opencontainers.image.version="$version" \
  --label org.opencontainers.image.licenses=Apache-2.0 \
  --label io.github.acr-credentials.debian-packages="$package_list" \
  "$container"
rm -f "$out"
buildah "${storage[@]}" commit --quiet --format oci --disable-compression=false --rm "$container" "oci-archive:$out" >/dev/null
container=''
echo "built $out ($(du -m "$out" | cut -f1) MB; libraries: $(echo "$libraries" | wc -l); packages: $package_list)"
