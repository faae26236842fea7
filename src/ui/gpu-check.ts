// What the browser offers for WebGPU, checked once at start so every page can say clearly
// why training is unavailable instead of failing later.

export type GpuStatus =
  | { state: 'checking' }
  | { state: 'unsupported'; reason: string }
  | {
      state: 'ready';
      vendor: string;
      architecture: string;
      features: string[];
      maxStorageBufferBindingSize: number;
      maxBufferSize: number;
    };

export async function checkWebGPU(nav: Navigator = navigator): Promise<GpuStatus> {
  if (!('gpu' in nav) || !nav.gpu) {
    const insecure = typeof window !== 'undefined' && !window.isSecureContext;
    return {
      state: 'unsupported',
      reason: insecure
        ? 'WebGPU needs a secure context: open Prism from https:// or http://localhost.'
        : 'This browser has no WebGPU. Use a recent Chrome or Edge (113+), or Firefox/Safari with WebGPU enabled.',
    };
  }
  try {
    const adapter = await nav.gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (!adapter) {
      return {
        state: 'unsupported',
        reason: 'WebGPU is present but no GPU adapter was granted (GPU blocklisted or disabled in the browser settings).',
      };
    }
    return {
      state: 'ready',
      vendor: adapter.info?.vendor || 'unknown vendor',
      architecture: adapter.info?.architecture || adapter.info?.description || '',
      features: [...adapter.features].sort(),
      maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
      maxBufferSize: adapter.limits.maxBufferSize,
    };
  } catch (err) {
    return { state: 'unsupported', reason: `Requesting a WebGPU adapter failed: ${(err as Error).message}` };
  }
}
