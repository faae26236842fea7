// The pages of the studio, each in the folder of its module.
export { DatasetPage } from './studio/DatasetPage.tsx';
export { TemplatesPage } from './studio/TemplatesPage.tsx';
export { TrainPage } from './train/TrainPage.tsx';
export { AdaptersPage } from './adapters/AdaptersPage.tsx';
export { ChatPage } from './chat/ChatPage.tsx';
export { EvaluatePage } from './evaluate/EvaluatePage.tsx';
export { GpuBenchPage } from './gpu/GpuBenchPage.tsx';
