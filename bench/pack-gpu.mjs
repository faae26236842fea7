// Packs bench/gpu.ts to run on a Linux x86-64 machine with an NVIDIA GPU that has no Node and no
// network (issue 18 §4): one bundled JS file (esbuild, which tsx already depends on; the WGSL
// `?raw` imports inlined as text), Node's own binary (xz), Dawn's dawn.node (xz) as the `webgpu`
// package loads it, bench/gpu_torch.py, and a run.sh that unpacks them, brings the Vulkan loader
// when the machine lacks one (libvulkan1, downloaded here for amd64 as .library/device/README.md
// describes; unpacked under the package, found through LD_LIBRARY_PATH), points the loader at
// NVIDIA's ICD when it is not in the usual folders, and runs the benchmark under a time limit.
//
// Usage: node bench/pack-gpu.mjs [--out DIR] [--no-node] [--no-vulkan]   (npm run bench:gpu:pack)
//   --out DIR     the package folder (default .bench-gpu, git-ignored; carry it to the machine)
//   --no-node     skip Node's binary (the dry-run test runs the bundle with this machine's node)
//   --no-vulkan   skip downloading libvulkan1
//   --no-xz       dawn.node (and node) uncompressed, in place: the bundle runs from DIR as it is (tests)
// On the GPU machine: bash .bench-gpu/run.sh [bench/gpu.ts flags]
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    out: { type: 'string', default: join(ROOT, '.bench-gpu') },
    'no-node': { type: 'boolean', default: false },
    'no-vulkan': { type: 'boolean', default: false },
    'no-xz': { type: 'boolean', default: false },
  },
});
const out = resolve(values.out);
// The carry limit of the GPU machine's working tree (the repository travels with it).
const LIMIT = 64 * 1024 * 1024;

if (process.platform !== 'linux' || process.arch !== 'x64') {
  throw new Error(
    `pack-gpu: the package is for Linux x86-64 and takes this machine's node; this is ` +
      `${process.platform}-${process.arch}`,
  );
}
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

// 1. The bundle. `webgpu` stays external: its index.js finds dawn.node beside itself.
const raw = {
  name: 'raw',
  setup(b) {
    b.onResolve({ filter: /\?raw$/ }, (a) => ({ path: resolve(a.resolveDir, a.path.slice(0, -4)), namespace: 'raw' }));
    b.onLoad({ filter: /.*/, namespace: 'raw' }, (a) => ({ contents: readFileSync(a.path, 'utf8'), loader: 'text' }));
  },
};
await build({
  entryPoints: [join(ROOT, 'bench/gpu.ts')],
  outfile: join(out, 'gpu-bench.mjs'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['webgpu'],
  plugins: [raw],
  // CommonJS dependencies bundled into ESM call require(): give them one.
  banner: {
    js:
      "import { createRequire as __prismCreateRequire } from 'node:module'; const require = " +
      '__prismCreateRequire(import.meta.url);',
  },
  logLevel: 'warning',
});
copyFileSync(join(ROOT, 'bench/gpu_torch.py'), join(out, 'gpu_torch.py'));

// 2. Dawn for Linux x86-64, laid out as the `webgpu` package expects.
const wg = join(ROOT, 'node_modules/webgpu');
const wgOut = join(out, 'node_modules/webgpu');
mkdirSync(join(wgOut, 'dist/linux-x64'), { recursive: true });
for (const f of ['index.js', 'package.json']) copyFileSync(join(wg, f), join(wgOut, f));
const xz = (src, dst) => {
  if (values['no-xz']) return copyFileSync(src, dst.replace(/\.xz$/, ''));
  const p = spawnSync('sh', ['-c', `xz -9 -T0 -c "${src}" > "${dst}"`], { stdio: 'inherit' });
  if (p.status !== 0) throw new Error(`pack-gpu: xz failed on ${src} (apt-get install xz-utils)`);
};
xz(
  join(wg, 'dist/linux-x64/dawn.node'),
  values['no-xz'] ? join(wgOut, 'dist/linux-x64/dawn.node.xz') : join(out, 'dawn.node.xz'),
);

// 3. Node.
if (!values['no-node']) xz(process.execPath, join(out, 'node.xz'));

// 4. The Vulkan loader (Debian's libvulkan1 for amd64), for machines without one.
if (!values['no-vulkan']) {
  const lists = join(out, '.apt-lists');
  mkdirSync(join(lists, 'partial'), { recursive: true });
  const o = ['-oAPT::Architecture=amd64', '-oAPT::Architectures=amd64', `-oDir::State::Lists=${lists}`];
  const upd = spawnSync('apt-get', [...o, 'update'], { encoding: 'utf8' });
  const dl =
    upd.status === 0 ? spawnSync('apt-get', [...o, 'download', 'libvulkan1'], { cwd: out, encoding: 'utf8' }) : upd;
  rmSync(lists, { recursive: true, force: true });
  if (dl.status !== 0) {
    console.warn(
      `pack-gpu: could not download libvulkan1 (${(dl.stderr || '').trim().split('\n').pop()}); run.sh then needs a ` +
        `machine with libvulkan.so.1`,
    );
  }
}

// 5. run.sh
writeFileSync(
  join(out, 'run.sh'),
  `#!/bin/bash
# Runs the Prism GPU benchmark from this folder (made by bench/pack-gpu.mjs). Flags go to bench/gpu.ts.
set -e
here=$(cd "$(dirname "$0")" && pwd)
work=\${PRISM_BENCH_TMP:-/tmp/prism-bench-gpu}
mkdir -p "$work/node_modules"
unxz() { # xz, or Python's lzma where xz is missing
  if command -v xz >/dev/null; then
    xz -dc "$1" > "$2"
  else
    python3 -c 'import lzma,shutil,sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2],"wb"))' "$1" "$2"
  fi
}
cp -r "$here/node_modules/webgpu" "$work/node_modules/"
cp "$here/gpu-bench.mjs" "$here/gpu_torch.py" "$work/"
[ -f "$here/dawn.node.xz" ] && unxz "$here/dawn.node.xz" "$work/node_modules/webgpu/dist/linux-x64/dawn.node"
if [ -f "$here/node.xz" ]; then unxz "$here/node.xz" "$work/node"; chmod +x "$work/node"; NODE="$work/node"
elif [ -f "$here/node" ]; then NODE="$here/node"; else NODE=\${NODE:-node}; fi
# The Vulkan loader: the machine's, else the packaged libvulkan1 unpacked here.
if ! ldconfig -p 2>/dev/null | grep -q 'libvulkan.so.1 '; then
  deb=$(ls "$here"/libvulkan1_*.deb 2>/dev/null | head -1)
  if [ -n "$deb" ]; then
    dpkg -x "$deb" "$work/vk"
    export LD_LIBRARY_PATH="$work/vk/usr/lib/x86_64-linux-gnu\${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
    echo "run.sh: Vulkan loader from $(basename "$deb")"
  else
    echo "run.sh: no libvulkan.so.1 on this machine and none packaged (pack without --no-vulkan)" >&2
  fi
fi
# NVIDIA's ICD where the loader does not look by default (the device machines keep it here).
if ! ls /usr/share/vulkan/icd.d/*.json /etc/vulkan/icd.d/*.json >/dev/null 2>&1; then
  for f in /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json /usr/share/vulkan/icd.d/nvidia_icd.json; do
    if [ -f "$f" ]; then export VK_DRIVER_FILES="$f" VK_ICD_FILENAMES="$f"; echo "run.sh: Vulkan ICD $f"; break; fi
  done
fi
command -v nvidia-smi >/dev/null &&
  nvidia-smi --query-gpu=name,driver_version,clocks.max.sm --format=csv,noheader || true
cd "$work"
exec timeout \${PRISM_BENCH_TIMEOUT:-480} "$NODE" gpu-bench.mjs "$@"
`,
  { mode: 0o755 },
);

// Size: the package travels with the repository's files under one limit.
const size = (p) =>
  statSync(p).isDirectory() ? readdirSync(p).reduce((a, f) => a + size(join(p, f)), 0) : statSync(p).size;
const total = size(out);
const repo = Number(
  spawnSync('sh', ['-c', 'git ls-files -z | xargs -0 cat | wc -c'], { cwd: ROOT, encoding: 'utf8' }).stdout.trim(),
);
const mib = (n) => `${(n / 1048576).toFixed(1)} MiB`;
for (const f of readdirSync(out)) console.log(`  ${f.padEnd(28)} ${mib(size(join(out, f)))}`);
console.log(
  `pack-gpu: ${out}: ${mib(total)} (+ ${mib(repo)} of tracked files = ${mib(total + repo)} of ` +
    `the ${mib(LIMIT)} carry limit)`,
);
if (total + repo > LIMIT) throw new Error('pack-gpu: over the carry limit');
if (!existsSync(join(out, 'gpu-bench.mjs'))) throw new Error('pack-gpu: no bundle written');
