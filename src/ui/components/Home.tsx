// The first thing a new user sees (the Dataset page before any file): what the studio does, in
// the order of its pages, and the WebGPU adapter it will train on with the limits that matter.
import { adapterLine } from '../gpu-check.ts';
import { useApp } from '../store.ts';

const STEPS: [string, string, string][] = [
  [
    'dataset',
    'Dataset',
    'load a JSONL file of conversations (chat or tool calling); every bad line is named with the fix.',
  ],
  [
    'templates',
    'Templates',
    'see the same record as Qwen, Llama, Gemma, GLM, Mistral… prompt it, and which tokens are trained.',
  ],
  ['train', 'Train', 'train a LoRA adapter of a small model on this computer’s GPU, through WebGPU.'],
  ['adapters', 'Adapters', 'keep adapters in this browser and download them as PEFT folders (PEFT, vLLM, llama.cpp).'],
  ['chat', 'Chat', 'talk to the base model and to your adapter side by side.'],
];

export function Home() {
  const gpu = useApp((s) => s.gpu);
  return (
    <section className="card home" aria-labelledby="home-h" data-testid="home">
      <h2 id="home-h">Fine-tune a language model in your browser</h2>
      <p className="muted">Nothing is uploaded: your data, the model and the adapter stay on this computer.</p>
      <ol className="home-steps">
        {STEPS.map(([id, title, what]) => (
          <li key={id}>
            <a href={`#/${id}`}>{title}</a>: {what}
          </li>
        ))}
      </ol>
      <p className="gpu-line small" data-testid="gpu-line" data-state={gpu.state}>
        {gpu.state === 'ready' ? (
          <>
            <b>WebGPU ready:</b> {adapterLine(gpu)}
          </>
        ) : gpu.state === 'checking' ? (
          'Checking WebGPU…'
        ) : (
          <>
            <b>{gpu.title}</b> Training and chat need it; the Dataset and Templates pages work without.
          </>
        )}
      </p>
    </section>
  );
}
