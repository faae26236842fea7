// What kind of processor runs the device's shaders. Some kernels have two layouts: one that
// shares work between the threads of a workgroup (a GPU's way) and one with a thread per
// output and no barrier — on a CPU implementation of WebGPU (SwiftShader, llvmpipe/lavapipe,
// WARP) a barrier costs more than the arithmetic it would share.

/** The adapter fields that tell a CPU implementation apart (GPUAdapterInfo's names). */
export interface AdapterIdentity {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}

const CPU_NAMES = /swiftshader|llvmpipe|lavapipe|softpipe|\bwarp\b|microsoft basic render/i;

/** True for a software (CPU) adapter; unknown adapters count as GPUs. */
export function isCpuAdapter(info: AdapterIdentity | undefined): boolean {
  if (!info) return false;
  if (info.isFallbackAdapter) return true;
  return CPU_NAMES.test([info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' '));
}

const cpuDevices = new WeakMap<GPUDevice, boolean>();

/** isCpuAdapter for a device's adapter (GPUDevice.adapterInfo; absent in older browsers → GPU). */
export function deviceIsCpu(device: GPUDevice): boolean {
  let cpu = cpuDevices.get(device);
  if (cpu === undefined) {
    cpu = isCpuAdapter((device as GPUDevice & { adapterInfo?: AdapterIdentity }).adapterInfo);
    cpuDevices.set(device, cpu);
  }
  return cpu;
}
