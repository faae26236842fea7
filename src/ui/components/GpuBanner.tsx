import { useApp } from '../store.ts';

/** Says plainly, on every page, whether this browser can train. */
export function GpuBanner() {
  const gpu = useApp((s) => s.gpu);
  if (gpu.state === 'checking') return null;
  if (gpu.state === 'unsupported') {
    return (
      <div className="banner banner-warn" role="alert" data-testid="gpu-unsupported">
        <strong>No WebGPU in this browser.</strong> {gpu.reason} You can still load datasets and compare
        templates; training and chat need WebGPU.
      </div>
    );
  }
  return null;
}
