#!/usr/bin/env bash
# Installs the Debian packages ktstr builds and runs with. Idempotent: installs only
# what is missing, so a machine that has everything pays one dpkg query.
set -euo pipefail
pkgs=(
  build-essential pkg-config make gcc clang clang-19 llvm-19 libclang-rt-dev
  libbpf-dev bpftool libelf-dev zlib1g-dev libzstd-dev
  libncurses-dev libreadline-dev libjansson-dev libarchive-dev libcurl4-openssl-dev
  libcriterion-dev
  qemu-system-x86 busybox-static tmux jq ca-certificates libxml2-utils
  flex bison bc libssl-dev xz-utils dwarves
)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "ktstr: missing Debian packages: ${missing[*]}" >&2
  echo "  fix: sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 2
fi
echo "ktstr: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
