import { useApp } from '../store.ts';

/** Says plainly, on every page, when this browser cannot train (the headline names the cause). */
export function GpuBanner() {
  const gpu = useApp((s) => s.gpu);
  if (gpu.state !== 'unsupported') return null;
  return (
    <div className="banner banner-warn" role="alert" data-testid="gpu-unsupported">
      <strong>{gpu.title}</strong> {gpu.reason} You can still load datasets and compare templates; training and chat
      need WebGPU.
    </div>
  );
}
