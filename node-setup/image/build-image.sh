#!/usr/bin/env bash
# Builds dist/acr-node-setup-image.tar, an OCI image index for linux/amd64 and
# linux/arm64 (ARM node pools such as Yitian g8y/c8y/r8y). Each image holds
# that architecture's one executable (the node installer, the provider, and
# kubectl-acr, which the Secret sync's Deployment runs), a link per role name,
# and nsenter; FROM scratch plus exactly the shared libraries they load, with
# that architecture's own loader. amd64's come from this Debian machine
# (ldd); arm64's from Debian's arm64 cross packages (glibc, libstdc++) and
# Debian's arm64 util-linux, libselinux1 and libpcre2 (nsenter), followed by
# readelf. No daemon: buildah with the vfs driver and chroot isolation, in a
# private storage root that is removed afterwards. Push both with skopeo:
#   skopeo copy --all oci-archive:dist/acr-node-setup-image.tar docker://<registry>/<repo>/acr-node-setup:<tag>
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
dist=$root/dist
out=$dist/acr-node-setup-image.tar
version=$(sed -n 's/^  "version": "\(.*\)",$/\1/p' "$root/package.json")
# The names the DaemonSet, node-setup and the sync Deployment start it by: the links build.mjs made beside it.
mapfile -t roles < <(find "$dist" -maxdepth 1 -type l -lname acr-credentials -printf '%f\n' | sort)
[ ${#roles[@]} -gt 0 ] || { echo "build-image: no role links in $dist: run \`npm run build\` first" >&2; exit 1; }
arm64_debs=$root/.cache/arm64-debs

for tool in buildah ldd readelf; do
  command -v "$tool" >/dev/null || { echo "build-image: $tool is needed (apt-get install buildah binutils)" >&2; exit 1; }
done
for exe in "$dist/acr-credentials" "$dist/linux-arm64/acr-credentials"; do
  [ -x "$exe" ] || { echo "build-image: $exe is missing: run \`npm run build\` first" >&2; exit 1; }
done
for deb in util-linux libselinux1 libpcre2-8-0; do
  compgen -G "$arm64_debs/${deb}_*_arm64.deb" >/dev/null || {
    echo "build-image: Debian's $deb for arm64 is missing: run \`bash scripts/ensure-test-tools.sh\`" >&2
    exit 1
  }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/acr-node-setup-image.XXXXXX")
export BUILDAH_ISOLATION=chroot
storage=(--storage-driver vfs --root "$work/storage" --runroot "$work/run")
containers=()
cleanup() {
  for c in "${containers[@]}"; do buildah "${storage[@]}" rm "$c" >/dev/null 2>&1 || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# The image's filesystem, staged: executables at /, nsenter in /usr/bin.
stage() {
  local rootfs=$1 executable=$2 nsenter=$3
  mkdir -p "$rootfs/usr/bin" "$rootfs/tmp" "$rootfs/run"
  chmod 1777 "$rootfs/tmp"
  install -m 0755 "$executable" "$rootfs/acr-credentials"
  for role in "${roles[@]}"; do ln -s acr-credentials "$rootfs/$role"; done
  install -m 0755 "$nsenter" "$rootfs/usr/bin/nsenter"
}

# amd64: the libraries ldd names, at the paths it names; their packages from dpkg.
amd64_rootfs=$work/amd64
stage "$amd64_rootfs" "$dist/acr-credentials" "$(command -v nsenter)"
amd64_libraries=$(for exe in "$dist/acr-credentials" "$(command -v nsenter)"; do ldd "$exe"; done | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' | sort -u)
amd64_packages=()
for lib in $amd64_libraries; do
  mkdir -p "$amd64_rootfs$(dirname "$lib")"
  cp -L "$lib" "$amd64_rootfs$lib"
  # dpkg knows a library by the path its package installed (merged-/usr moves one of the two).
  amd64_packages+=("$({ dpkg -S "$lib" || dpkg -S "$(readlink -f "$lib")"; } 2>/dev/null | cut -d: -f1 | head -n1 || true)")
done
amd64_package_list=$(printf '%s\n' "${amd64_packages[@]}" | sort -u | grep -v '^$' | while read -r p; do echo "$p=$(dpkg-query -W -f='${Version}' "$p")"; done | paste -sd, -)

# arm64: ldd cannot run an arm64 executable, so follow each file's NEEDED entries
# (readelf) through the cross sysroot and the unpacked arm64 packages.
debroot=$work/arm64-debs
mkdir -p "$debroot"
arm64_package_list=$(
  {
    for deb in "$arm64_debs"/*_arm64.deb; do
      dpkg-deb -x "$deb" "$debroot"
      echo "$(dpkg-deb -f "$deb" Package):arm64=$(dpkg-deb -f "$deb" Version)"
    done
    for p in libc6-arm64-cross libstdc++6-arm64-cross libgcc-s1-arm64-cross; do echo "$p=$(dpkg-query -W -f='${Version}' "$p")"; done
  } | sort | paste -sd, -
)
arm64_rootfs=$work/arm64
stage "$arm64_rootfs" "$dist/linux-arm64/acr-credentials" "$debroot/usr/bin/nsenter"
search=(/usr/aarch64-linux-gnu/lib "$debroot/lib/aarch64-linux-gnu" "$debroot/usr/lib/aarch64-linux-gnu")
declare -A copied=()
copy_needed() {
  local file=$1 name found dir
  for name in $(readelf -d "$file" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
    [ -n "${copied[$name]:-}" ] && continue
    found=''
    for dir in "${search[@]}"; do [ -e "$dir/$name" ] && { found=$dir/$name; break; }; done
    [ -n "$found" ] || { echo "build-image: arm64 library $name (needed by $file) not found in ${search[*]}" >&2; exit 1; }
    copied[$name]=1
    mkdir -p "$arm64_rootfs/lib/aarch64-linux-gnu"
    cp -L "$found" "$arm64_rootfs/lib/aarch64-linux-gnu/$name"
    copy_needed "$found"
  done
}
copy_needed "$dist/linux-arm64/acr-credentials"
copy_needed "$debroot/usr/bin/nsenter"
# The loader, where the executables' PT_INTERP names it.
cp -L /usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1 "$arm64_rootfs/lib/ld-linux-aarch64.so.1"

image() {
  local arch=$1 rootfs=$2 packages=$3 container
  container=$(buildah "${storage[@]}" from scratch)
  containers+=("$container")
  buildah "${storage[@]}" copy --quiet "$container" "$rootfs/" / >/dev/null
  buildah "${storage[@]}" config \
    --os linux \
    --arch "$arch" \
    --entrypoint '["/acr-node-setup"]' \
    --cmd '["--help"]' \
    --env PATH=/usr/sbin:/usr/bin:/sbin:/bin \
    --label org.opencontainers.image.title=acr-node-setup \
    --label org.opencontainers.image.description="ACR kubelet credential provider and its node installer" \
    --label org.opencontainers.image.version="$version" \
    --label org.opencontainers.image.licenses=Apache-2.0 \
    --label io.github.acr-credentials.debian-packages="$packages" \
    "$container"
  buildah "${storage[@]}" commit --quiet --format oci --disable-compression=false "$container" "acr-node-setup-$arch" >/dev/null
}
image amd64 "$amd64_rootfs" "$amd64_package_list"
image arm64 "$arm64_rootfs" "$arm64_package_list"

buildah "${storage[@]}" manifest create acr-node-setup >/dev/null
for arch in amd64 arm64; do
  buildah "${storage[@]}" manifest add --os linux --arch "$arch" acr-node-setup "containers-storage:localhost/acr-node-setup-$arch" >/dev/null
done
rm -f "$out"
buildah "${storage[@]}" manifest push --quiet --all acr-node-setup "oci-archive:$out" >/dev/null
echo "built $out ($(du -m "$out" | cut -f1) MB: linux/amd64 and linux/arm64; amd64 packages: $amd64_package_list; arm64 packages: $arm64_package_list)"
