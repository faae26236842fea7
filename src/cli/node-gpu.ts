// A GPUDevice in Node from Dawn (the `webgpu` package). Without a real GPU, Dawn runs on
// SwiftShader's Vulkan driver that Debian's chromium package installs; a real GPU's Vulkan
// driver is used when present unless PRISM_SWIFTSHADER=1.
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create, globals } from 'webgpu';

const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

let gpu: GPU | undefined;

/** The `navigator.gpu` equivalent for Node; installs WebGPU's globals (GPUBufferUsage, …). */
export function nodeGPU(): GPU {
  if (gpu) return gpu;
  if (!process.env.XDG_RUNTIME_DIR) {
    const dir = join(tmpdir(), `prism-xdg-${process.getuid?.() ?? 0}`);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    process.env.XDG_RUNTIME_DIR = dir;
  }
  const wantSwiftShader = process.env.PRISM_SWIFTSHADER === '1' || !hasVulkanGPU();
  if (wantSwiftShader && !process.env.VK_ICD_FILENAMES && existsSync(SWIFTSHADER_ICD)) {
    process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  }
  Object.assign(globalThis, globals);
  // Dawn rounds timestamp queries (a browser's defence against timing attacks) unless told not to;
  // here they time our own kernels (DispatchProfiler).
  gpu = create(['disable-dawn-features=timestamp_quantization']);
  return gpu;
}

function hasVulkanGPU(): boolean {
  // A real GPU's Vulkan ICD lives in one of these; SwiftShader's sits under chromium's folder.
  return ['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d'].some(
    (d) => existsSync(d) && readdirSync(d).some((f) => f.endsWith('.json')),
  );
}

/** An adapter, or an error that says what to install when there is none. */
export async function nodeAdapter(): Promise<GPUAdapter> {
  const adapter = await nodeGPU().requestAdapter();
  if (!adapter) {
    throw new Error(
      'No WebGPU adapter in Node. Install a Vulkan driver, or on a machine without a GPU: ' +
        'apt-get install chromium libvulkan1 (Dawn then runs on SwiftShader from ' +
        SWIFTSHADER_ICD +
        ').',
    );
  }
  return adapter;
}

/** A device with the adapter's own limits (the defaults are far lower than real GPUs allow). */
export async function nodeDevice(): Promise<GPUDevice> {
  const adapter = await nodeAdapter();
  const requiredLimits: Record<string, number> = {};
  for (const key of [
    'maxStorageBufferBindingSize',
    'maxBufferSize',
    'maxComputeWorkgroupStorageSize',
    'maxComputeInvocationsPerWorkgroup',
    'maxComputeWorkgroupSizeX',
    'maxComputeWorkgroupSizeY',
    'maxComputeWorkgroupsPerDimension',
    'maxStorageBuffersPerShaderStage',
  ] as const) {
    requiredLimits[key] = adapter.limits[key];
  }
  // The optional features kernels can use (gemm's 'subgroup' variant; f16 arithmetic), as
  // acquireDevice (src/engine/device.ts) requests them in the browser.
  const optional: GPUFeatureName[] = ['subgroups' as GPUFeatureName, 'shader-f16'];
  const requiredFeatures = optional.filter((f) => adapter.features.has(f));
  return adapter.requestDevice({ requiredLimits, requiredFeatures });
}
