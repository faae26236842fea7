// The CPU-adapter test against the identities real adapters report (GPUAdapterInfo as Dawn and
// Chrome fill it in: SwiftShader's from this machine; the GPUs' from their vendors' drivers).
import { describe, expect, it } from 'vitest';
import { isCpuAdapter } from './adapter.ts';

describe('isCpuAdapter', () => {
  it('knows the software adapters', () => {
    expect(isCpuAdapter({ vendor: 'google', architecture: 'swiftshader', device: 'swiftshader-device-subzero-' })).toBe(
      true,
    );
    expect(isCpuAdapter({ vendor: 'mesa', description: 'llvmpipe (LLVM 15.0.6, 256 bits)' })).toBe(true);
    expect(isCpuAdapter({ vendor: 'microsoft', description: 'Microsoft Basic Render Driver' })).toBe(true);
    expect(isCpuAdapter({ vendor: '', isFallbackAdapter: true })).toBe(true);
  });
  it('counts GPUs and unknown adapters as GPUs', () => {
    expect(isCpuAdapter({ vendor: 'nvidia', architecture: 'hopper', description: 'NVIDIA H100 80GB HBM3' })).toBe(
      false,
    );
    expect(isCpuAdapter({ vendor: 'apple', architecture: 'metal-3' })).toBe(false);
    expect(isCpuAdapter({ vendor: 'intel', architecture: 'gen-12lp' })).toBe(false);
    expect(isCpuAdapter({ vendor: 'amd', architecture: 'rdna-3', description: 'hardware' })).toBe(false);
    expect(isCpuAdapter({})).toBe(false);
    expect(isCpuAdapter(undefined)).toBe(false);
  });
});
