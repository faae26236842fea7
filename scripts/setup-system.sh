#!/usr/bin/env bash
# System packages the tests need on a Debian machine with only Node: Chromium (e2e, and its
# SwiftShader Vulkan driver gives Dawn a WebGPU adapter without a GPU), the Vulkan loader, and
# Debian's Python with PyTorch, Jinja2, NumPy and SentencePiece (the independent references the
# tests compare against). Installs what is missing when run as root; otherwise prints the command to run.
set -euo pipefail

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -f /usr/lib/chromium/vk_swiftshader_icd.json ] || missing+=(chromium)
ldconfig -p 2>/dev/null | grep -q 'libvulkan.so.1' || missing+=(libvulkan1)
if [ -x /usr/bin/python3 ]; then
  /usr/bin/python3 -c 'import torch' 2>/dev/null || missing+=(python3-torch)
  /usr/bin/python3 -c 'import jinja2' 2>/dev/null || missing+=(python3-jinja2)
  /usr/bin/python3 -c 'import numpy' 2>/dev/null || missing+=(python3-numpy)
  /usr/bin/python3 -c 'import sentencepiece' 2>/dev/null || missing+=(python3-sentencepiece)
else
  missing+=(python3 python3-torch python3-jinja2 python3-numpy python3-sentencepiece)
fi
# Fast BLAS for numpy, the CPU baseline of the kernel benchmark (not needed by tests).
ldconfig -p 2>/dev/null | grep -q 'libopenblas' || missing+=(libopenblas0-pthread)

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup-system: chromium, libvulkan1 and /usr/bin/python3 with torch, jinja2, numpy, sentencepiece are present."
  exit 0
fi
# shellcheck disable=SC2207
pkgs=($(printf '%s\n' "${missing[@]}" | sort -u))
cmd="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${pkgs[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "setup-system: missing ${pkgs[*]}. Run as root:" >&2
  echo "  $cmd" >&2
  exit 1
fi
echo "setup-system: installing ${pkgs[*]}"
apt-get update -q
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${pkgs[@]}"
