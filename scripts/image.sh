#!/usr/bin/env bash
# Builds the otelcol-modelmon container image (Containerfile) from the binary `make build` produced,
# with whichever of buildah, podman or docker works on this machine; installs buildah when none does.
#
#   scripts/image.sh builder       print the tool the build uses (exit 3: none here and none installable)
#   scripts/image.sh stage DIR     write the build context into DIR (no tool needed)
#   scripts/image.sh build         stage into _build/image and build $IMAGE
#   scripts/image.sh run ARGS...   run $IMAGE's otelcol-modelmon with ARGS (no ports published)
#   scripts/image.sh inspect       print $IMAGE's metadata as JSON, as the tool reports it
#   scripts/image.sh remove        remove $IMAGE
#
# Environment: IMAGE, VERSION, COMMIT, DISTRO (set by `make image`); CONTAINER_BUILDER picks the tool.
# buildah runs with the vfs storage driver and chroot isolation unless STORAGE_DRIVER and
# BUILDAH_ISOLATION say otherwise: they work without kernel overlay or user namespaces, and an
# image FROM scratch is a few files, so vfs costs nothing here.
set -euo pipefail
cd "$(dirname "$0")/.."

DISTRO=${DISTRO:-_build/otelcol-modelmon}
VERSION=${VERSION:-$(sed -n 's/^  version: *//p' builder-config.yaml)}
COMMIT=${COMMIT:-$(git rev-parse --short HEAD 2>/dev/null || echo unknown)}
IMAGE=${IMAGE:-otelcol-modelmon:$VERSION}
CA_BUNDLE=${CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}
STORAGE_DRIVER=${STORAGE_DRIVER:-vfs}
BUILDAH_ISOLATION=${BUILDAH_ISOLATION:-chroot}

# works reports whether tool can build here: the docker client alone is no builder without its daemon.
works() {
  case $1 in
    buildah) command -v buildah >/dev/null 2>&1 ;;
    podman) command -v podman >/dev/null 2>&1 && podman info >/dev/null 2>&1 ;;
    docker) command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1 ;;
    *) echo "unknown CONTAINER_BUILDER $1 (buildah, podman or docker)" >&2; return 1 ;;
  esac
}

builder() {
  if [ -n "${CONTAINER_BUILDER:-}" ]; then
    works "$CONTAINER_BUILDER" && { echo "$CONTAINER_BUILDER"; return; }
    echo "CONTAINER_BUILDER=$CONTAINER_BUILDER does not work here" >&2; exit 3
  fi
  for b in buildah podman docker; do
    if works "$b"; then echo "$b"; return; fi
  done
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "no buildah, podman or docker: installing buildah" >&2
    export DEBIAN_FRONTEND=noninteractive
    # Another install may hold the dpkg lock for a while; wait for it rather than fail.
    if apt-get update -qq -o DPkg::Lock::Timeout=300 >&2 &&
      apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=300 buildah >&2 &&
      works buildah; then
      echo buildah; return
    fi
  fi
  echo "no container builder: install buildah, podman or docker (installing buildah needs root and apt-get)" >&2
  exit 3
}

# stage writes the build context: the binary, the CA bundle, the container config and the state dir.
stage() {
  local dir=$1
  [ -x "$DISTRO" ] || { echo "$DISTRO missing: run make build" >&2; exit 1; }
  [ -s "$CA_BUNDLE" ] || { echo "$CA_BUNDLE missing: install ca-certificates" >&2; exit 1; }
  rm -rf "$dir"
  mkdir -p "$dir/state" "$dir/rootfs/var/lib"
  cp "$DISTRO" "$dir/otelcol-modelmon"
  cp "$CA_BUNDLE" "$dir/ca-certificates.crt"
  # The container variant of otelcol-config.yaml: listeners on every interface (the container's
  # network namespace is the boundary), state under the image's volume. Its header comment speaks
  # of `make run` and ./var, so it gives way to one about the image.
  {
    cat <<'HEADER'
# Default config of the otelcol-modelmon image (/etc/otelcol-modelmon/config.yaml): the pipeline
# of otelcol-config.yaml with its listeners on 0.0.0.0 and its state under the volume
# /var/lib/otelcol-modelmon. Environment: MODELMON_ALERT_URL (webhook target), MODELMON_VAR.

HEADER
    sed -e '1,/^$/d' \
      -e 's/endpoint: 127\.0\.0\.1:/endpoint: 0.0.0.0:/' \
      -e 's/host: 127\.0\.0\.1$/host: 0.0.0.0/' \
      -e 's|\${env:MODELMON_VAR:-\./var}|${env:MODELMON_VAR:-/var/lib/otelcol-modelmon}|g' \
      otelcol-config.yaml
  } > "$dir/config.yaml"
}

# with runs the builder with its global flags.
with() {
  local tool=$1
  shift
  case $tool in
    buildah) buildah --storage-driver "$STORAGE_DRIVER" "$@" ;;
    *) "$tool" "$@" ;;
  esac
}

build() {
  local tool dir=_build/image old new
  tool=$(builder)
  stage "$dir"
  local args=(-f Containerfile -t "$IMAGE" --build-arg "VERSION=$VERSION" --build-arg "REVISION=$COMMIT")
  echo "building $IMAGE with $tool" >&2
  old=$(with "$tool" images -q "$IMAGE" 2>/dev/null || true)
  case $tool in
    buildah) with buildah build --isolation "$BUILDAH_ISOLATION" "${args[@]}" "$dir" ;;
    *) "$tool" build "${args[@]}" "$dir" ;;
  esac
  # The image the tag pointed at before is left untagged: remove it, or every build keeps a copy.
  new=$(with "$tool" images -q "$IMAGE")
  if [ -n "$old" ] && [ "$old" != "$new" ]; then
    with "$tool" rmi "$old" >/dev/null 2>&1 || true
  fi
}

run() {
  local tool status=0
  tool=$(builder)
  case $tool in
    buildah)
      # The working container goes also when a signal stops the run (Ctrl-C, a test's kill).
      RUN_CTR=$(with buildah from "$IMAGE")
      trap 'with buildah rm "$RUN_CTR" >/dev/null' EXIT
      trap 'exit 143' TERM
      trap 'exit 130' INT
      with buildah run --isolation "$BUILDAH_ISOLATION" "$RUN_CTR" -- /otelcol-modelmon "$@" || status=$?
      return $status
      ;;
    *) "$tool" run --rm "$IMAGE" "$@" ;;
  esac
}

inspect() {
  local tool
  tool=$(builder)
  case $tool in
    buildah) with buildah inspect --type image "$IMAGE" ;;
    *) "$tool" image inspect "$IMAGE" ;;
  esac
}

case ${1:-build} in
  builder) builder ;;
  stage) stage "${2:?stage DIR}" ;;
  build) build ;;
  run) shift; run "$@" ;;
  inspect) inspect ;;
  remove) with "$(builder)" rmi "$IMAGE" >/dev/null ;;
  *) echo "usage: $0 builder | stage DIR | build | run ARGS... | inspect | remove" >&2; exit 2 ;;
esac
