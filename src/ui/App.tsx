import { useEffect, type ReactElement } from 'react';
import { GpuBanner } from './components/GpuBanner.tsx';
import { checkWebGPU } from './gpu-check.ts';
import { restoreDataset } from './studio/load-dataset.ts';
import { useRoute } from './route.ts';
import { PAGES, useApp, type PageId, type Theme } from './store.ts';
import { AdaptersPage, ChatPage, DatasetPage, EvaluatePage, GpuBenchPage, TemplatesPage, TrainPage } from './pages.ts';

const VIEWS: Record<PageId, () => ReactElement> = {
  dataset: DatasetPage,
  templates: TemplatesPage,
  train: TrainPage,
  adapters: AdaptersPage,
  chat: ChatPage,
  evaluate: EvaluatePage,
  gpu: GpuBenchPage,
};

export function App() {
  const [page, go] = useRoute();
  const { setGpu, theme, setTheme } = useApp();

  useEffect(() => {
    void checkWebGPU().then(setGpu);
  }, [setGpu]);

  // The dataset open before a reload comes back from IndexedDB.
  useEffect(() => {
    void restoreDataset();
  }, []);

  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);

  // Alt+1…7 switch pages from anywhere, without stealing keys from text fields.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!e.altKey || e.ctrlKey || e.metaKey) return;
      const p = PAGES.find((x) => x.key === e.key);
      if (p) {
        e.preventDefault();
        go(p.id);
      }
    };
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, [go]);

  const View = VIEWS[page];
  return (
    <div className="app">
      <header className="topbar">
        <span className="brand" aria-label="Prism">
          <img src="/icon.svg" alt="" width={22} height={22} /> Prism
        </span>
        <nav aria-label="Pages">
          {PAGES.map((p) => (
            <a
              key={p.id}
              href={`#/${p.id}`}
              aria-current={p.id === page ? 'page' : undefined}
              title={`${p.title} (Alt+${p.key})`}
            >
              {p.title}
            </a>
          ))}
        </nav>
        <label className="theme">
          <span className="sr-only">Theme</span>
          <select value={theme} onChange={(e) => setTheme(e.target.value as Theme)}>
            <option value="system">System theme</option>
            <option value="light">Light</option>
            <option value="dark">Dark</option>
          </select>
        </label>
      </header>
      <GpuBanner />
      <main id={`page-${page}`}>
        <View />
      </main>
    </div>
  );
}
