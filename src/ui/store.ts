// App-wide state (zustand). Pages read slices of it; long work lives in workers and reports here.
import { create } from 'zustand';
import type { GpuStatus } from './gpu-check.ts';

export type PageId = 'dataset' | 'templates' | 'train' | 'adapters' | 'chat' | 'evaluate' | 'gpu';

export const PAGES: { id: PageId; title: string; key: string }[] = [
  { id: 'dataset', title: 'Dataset', key: '1' },
  { id: 'templates', title: 'Templates', key: '2' },
  { id: 'train', title: 'Train', key: '3' },
  { id: 'adapters', title: 'Adapters', key: '4' },
  { id: 'chat', title: 'Chat', key: '5' },
  { id: 'evaluate', title: 'Evaluate', key: '6' },
  { id: 'gpu', title: 'GPU', key: '7' },
];

export type Theme = 'light' | 'dark' | 'system';

interface AppState {
  gpu: GpuStatus;
  theme: Theme;
  setGpu(gpu: GpuStatus): void;
  setTheme(theme: Theme): void;
}

export const useApp = create<AppState>((set) => ({
  gpu: { state: 'checking' },
  theme: (globalThis.localStorage?.getItem('prism.theme') as Theme | null) ?? 'system',
  setGpu: (gpu) => set({ gpu }),
  setTheme: (theme) => {
    globalThis.localStorage?.setItem('prism.theme', theme);
    set({ theme });
  },
}));
