import { useApp } from '../store.ts';
import type { ModelSpec } from '../../model/types.ts';
import { capabilityChecks, type Check } from './capability.ts';
import { useTrain } from './store.ts';

const ICON = { ok: '✓', warn: '!', fail: '✗' } as const;

export function useChecks(spec: ModelSpec | undefined): Check[] {
  const gpu = useApp((s) => s.gpu);
  const config = useTrain((s) => s.config);
  if (!spec) return [];
  return capabilityChecks(gpu, spec, {
    batch: config.per_device_train_batch_size,
    seqLen: config.max_length ?? Math.min(spec.max_position_embeddings, 2048),
    r: config.lora.r,
  });
}

/** The checks before training, with the fix when something does not fit. */
export function CapabilityCheck({ checks }: { checks: Check[] }) {
  const { config, setConfig } = useTrain();
  const gpu = useApp((s) => s.gpu);
  return (
    <section className="card" aria-labelledby="cap-h" data-testid="capability">
      <h2 id="cap-h">2. Will it run here?</h2>
      <ul className="checks">
        {checks.map((c) => (
          <li key={c.id} className={`check ${c.level}`} data-testid={`check-${c.id}`} data-level={c.level}>
            <span className="icon" aria-hidden="true">
              {ICON[c.level]}
            </span>
            <span>
              <strong>{c.label}</strong> <span className="sr-only">({c.level})</span>
              <span
                className="detail"
                data-testid={c.id === 'webgpu' && gpu.state === 'ready' ? 'gpu-adapter' : undefined}
              >
                {c.detail}
              </span>
              {c.fix && <span className="fix">{c.fix}</span>}
              {c.suggestion && (
                <button
                  type="button"
                  onClick={() =>
                    setConfig({
                      ...config,
                      per_device_train_batch_size: c.suggestion!.batch,
                      max_length: c.suggestion!.seqLen,
                    })
                  }
                >
                  Apply: batch {c.suggestion.batch}, max length {c.suggestion.seqLen}
                </button>
              )}
            </span>
          </li>
        ))}
      </ul>
      {gpu.state === 'ready' && (
        <p className="muted small">
          Adapter limits: largest buffer {(gpu.maxBufferSize / 2 ** 20).toFixed(0)} MiB, largest storage binding{' '}
          {(gpu.maxStorageBufferBindingSize / 2 ** 20).toFixed(0)} MiB ·{' '}
          <span title={gpu.features.join(', ')}>{gpu.features.length} features</span> ·{' '}
          <a href="#/gpu" data-testid="gpu-bench-link">
            Benchmark this GPU
          </a>
        </p>
      )}
    </section>
  );
}
