// What the browser offers for WebGPU, checked once at start so every page can say clearly
// why training is unavailable instead of failing later, and the home view can name the adapter.

export type GpuStatus =
  | { state: 'checking' }
  | {
      state: 'unsupported';
      /** The headline, true to the cause: only a browser without navigator.gpu "has no WebGPU". */
      title: string;
      reason: string;
    }
  | {
      state: 'ready';
      vendor: string;
      architecture: string;
      /** GPUAdapterInfo.description (Chrome fills it for some drivers; often empty). */
      description?: string;
      features: string[];
      maxStorageBufferBindingSize: number;
      maxBufferSize: number;
      maxComputeWorkgroupStorageSize?: number;
    };

export async function checkWebGPU(nav: Navigator = navigator): Promise<GpuStatus> {
  if (!('gpu' in nav) || !nav.gpu) {
    const insecure = typeof window !== 'undefined' && !window.isSecureContext;
    return insecure
      ? {
          state: 'unsupported',
          title: 'WebGPU needs a secure context.',
          reason: 'Open Prism from https:// or http://localhost.',
        }
      : {
          state: 'unsupported',
          title: 'No WebGPU in this browser.',
          reason: 'Use a recent Chrome or Edge (113+), or Firefox/Safari with WebGPU enabled.',
        };
  }
  try {
    const adapter = await nav.gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (!adapter) {
      return {
        state: 'unsupported',
        title: 'WebGPU gave no GPU adapter.',
        reason:
          'The browser has WebGPU, but it granted no adapter: the GPU is blocklisted or hardware acceleration is off ' +
          'in the browser settings.',
      };
    }
    const info = adapter.info;
    return {
      state: 'ready',
      vendor: info?.vendor || 'unknown vendor',
      architecture: info?.architecture || info?.description || '',
      description: info?.description || undefined,
      features: [...adapter.features].sort(),
      maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
      maxBufferSize: adapter.limits.maxBufferSize,
      maxComputeWorkgroupStorageSize: adapter.limits.maxComputeWorkgroupStorageSize,
    };
  } catch (err) {
    return {
      state: 'unsupported',
      title: 'WebGPU failed to start.',
      reason: `Requesting an adapter threw: ${(err as Error).message}`,
    };
  }
}

function size(n: number): string {
  if (n >= 2 ** 30) return `${+(n / 2 ** 30).toFixed(1)} GiB`;
  if (n >= 2 ** 20) return `${+(n / 2 ** 20).toFixed(1)} MiB`;
  return `${+(n / 2 ** 10).toFixed(1)} KiB`;
}

/** The adapter and the limits that decide what trains here, in one line. */
export function adapterLine(gpu: Extract<GpuStatus, { state: 'ready' }>): string {
  const name = [
    gpu.vendor,
    gpu.architecture,
    gpu.description && gpu.description !== gpu.architecture ? gpu.description : '',
  ]
    .filter(Boolean)
    .join(' ');
  const parts = [
    name,
    `max buffer ${size(gpu.maxBufferSize)}`,
    `max storage binding ${size(gpu.maxStorageBufferBindingSize)}`,
    gpu.maxComputeWorkgroupStorageSize ? `workgroup memory ${size(gpu.maxComputeWorkgroupStorageSize)}` : '',
    `shader-f16 ${gpu.features.includes('shader-f16') ? 'yes' : 'no'}`,
  ];
  return parts.filter(Boolean).join(' · ');
}
