// The five pages of the studio. Each grows in its own issue; until then it says what it will do.
import { Planned } from '../components/Placeholder.tsx';
import { GpuPanel } from './GpuPanel.tsx';

// The Dataset and Templates pages live in ../studio/.
export { DatasetPage } from '../studio/DatasetPage.tsx';
export { TemplatesPage } from '../studio/TemplatesPage.tsx';

export function TrainPage() {
  return (
    <>
      <GpuPanel />
      <Planned title="Train a LoRA adapter">
        Pick a small model (or the built-in tiny demo model), set the hyperparameters and watch the loss fall —
        on your own GPU.
      </Planned>
    </>
  );
}

export function AdaptersPage() {
  return (
    <Planned title="Adapters">
      Trained adapters are kept in this browser. Download any of them as PEFT files, or as the ms-swift command that
      continues the run on a GPU cluster.
    </Planned>
  );
}

export function ChatPage() {
  return (
    <Planned title="Chat">
      Send one prompt to the base model and to your tuned adapter, side by side.
    </Planned>
  );
}
