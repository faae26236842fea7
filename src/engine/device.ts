// One way to get a GPUDevice in the browser and in Node: the adapter's real limits (the
// WebGPU defaults are far below what GPUs allow: 128 MiB bindings, 16 KiB workgroup memory)
// and the optional features the engine can use, each with a fallback when absent.

export interface DeviceFeatures {
  /** `shader-f16`: f16 arithmetic in WGSL. Weights in f16 are unpacked to f32 without it. */
  f16: boolean;
  /** `subgroups`: subgroup reductions. Kernels fall back to workgroup-memory reductions. */
  subgroups: boolean;
  /** `timestamp-query`: GPU timings for benchmarks. */
  timestamps: boolean;
}

export interface DeviceLimits {
  maxStorageBufferBindingSize: number;
  maxBufferSize: number;
  maxComputeWorkgroupStorageSize: number;
  maxComputeInvocationsPerWorkgroup: number;
  maxComputeWorkgroupSizeX: number;
  maxComputeWorkgroupSizeY: number;
  maxComputeWorkgroupSizeZ: number;
  maxComputeWorkgroupsPerDimension: number;
  maxStorageBuffersPerShaderStage: number;
  maxUniformBufferBindingSize: number;
  minStorageBufferOffsetAlignment: number;
}

export interface AcquiredDevice {
  device: GPUDevice;
  adapter: GPUAdapter;
  features: DeviceFeatures;
  limits: DeviceLimits;
  /** Adapter vendor/architecture/description when the browser tells. */
  description: string;
}

export interface DeviceLossInfo {
  reason: GPUDeviceLostReason | 'unknown';
  message: string;
}

export interface AcquireOptions {
  powerPreference?: GPUPowerPreference;
  /** Ask for none of the optional features (to test the fallback paths). */
  noOptionalFeatures?: boolean;
  /** Called once if the device is lost (driver reset, watchdog, destroy()). */
  onLost?: (info: DeviceLossInfo) => void;
  /** Called for every validation / out-of-memory / internal error nobody captured. */
  onError?: (error: GPUError) => void;
}

const LIMIT_KEYS: (keyof DeviceLimits)[] = [
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxComputeWorkgroupSizeZ',
  'maxComputeWorkgroupsPerDimension',
  'maxStorageBuffersPerShaderStage',
  'maxUniformBufferBindingSize',
  'minStorageBufferOffsetAlignment',
];

/** Requests an adapter and a device with the adapter's own limits and optional features. */
export async function acquireDevice(gpu: GPU, opts: AcquireOptions = {}): Promise<AcquiredDevice> {
  const adapter = await gpu.requestAdapter({ powerPreference: opts.powerPreference ?? 'high-performance' });
  if (!adapter) {
    throw new Error(
      'WebGPU is available but no GPU adapter was found (blocklisted GPU, or WebGPU disabled in the browser settings).',
    );
  }
  const wanted: GPUFeatureName[] = opts.noOptionalFeatures
    ? []
    : ['shader-f16', 'subgroups' as GPUFeatureName, 'timestamp-query'];
  const requiredFeatures = wanted.filter((f) => adapter.features.has(f));
  const requiredLimits: Record<string, number> = {};
  for (const key of LIMIT_KEYS) {
    const v = (adapter.limits as unknown as Record<string, number | undefined>)[key];
    if (typeof v === 'number') requiredLimits[key] = v;
  }
  const device = await adapter.requestDevice({ requiredFeatures, requiredLimits, label: 'prism' });

  void device.lost.then((info) => {
    const reason = (info.reason ?? 'unknown') as DeviceLossInfo['reason'];
    const why =
      reason === 'destroyed'
        ? 'the device was destroyed by the application'
        : 'the GPU driver reset or the GPU was removed (often a dispatch ran too long and hit the OS watchdog, or ' +
          'the GPU ran out of memory)';
    opts.onLost?.({ reason, message: `WebGPU device lost: ${why}. ${info.message ?? ''}`.trim() });
  });
  device.addEventListener('uncapturederror', (ev) => {
    const error = (ev as GPUUncapturedErrorEvent).error;
    if (opts.onError) opts.onError(error);
    else console.error(`WebGPU error: ${error.message}`);
  });

  const limits = {} as DeviceLimits;
  for (const key of LIMIT_KEYS) {
    limits[key] = (device.limits as unknown as Record<string, number>)[key];
  }
  const info = (adapter as GPUAdapter & { info?: GPUAdapterInfo }).info;
  return {
    device,
    adapter,
    features: {
      f16: device.features.has('shader-f16'),
      subgroups: device.features.has('subgroups'),
      timestamps: device.features.has('timestamp-query'),
    },
    limits,
    description: info ? [info.vendor, info.architecture, info.description].filter(Boolean).join(' ') : '',
  };
}
