import { useApp } from '../store.ts';

function mib(n: number) {
  return `${(n / 2 ** 20).toFixed(0)} MiB`;
}

/** The capability check a user sees before training: adapter, limits and features. */
export function GpuPanel() {
  const gpu = useApp((s) => s.gpu);
  return (
    <section className="card" data-testid="gpu-panel">
      <h2>Your GPU</h2>
      {gpu.state === 'checking' && <p className="muted">Checking WebGPU…</p>}
      {gpu.state === 'unsupported' && <p className="warn">{gpu.reason}</p>}
      {gpu.state === 'ready' && (
        <dl className="kv">
          <dt>Adapter</dt>
          <dd data-testid="gpu-adapter">
            {gpu.vendor} {gpu.architecture}
          </dd>
          <dt>Largest storage binding</dt>
          <dd>{mib(gpu.maxStorageBufferBindingSize)}</dd>
          <dt>Largest buffer</dt>
          <dd>{mib(gpu.maxBufferSize)}</dd>
          <dt>Features</dt>
          <dd>{['shader-f16', 'subgroups', 'timestamp-query'].map((f) => `${f}: ${gpu.features.includes(f) ? 'yes' : 'no'}`).join(' · ')}</dd>
        </dl>
      )}
    </section>
  );
}
