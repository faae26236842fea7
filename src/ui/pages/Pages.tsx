// The five pages of the studio. Each grows in its own issue; until then it says what it will do.

// The Dataset and Templates pages live in ../studio/.
export { DatasetPage } from '../studio/DatasetPage.tsx';
export { TemplatesPage } from '../studio/TemplatesPage.tsx';

// The Train, Adapters and Chat pages live in ../train/, ../adapters/ and ../chat/.
export { TrainPage } from '../train/TrainPage.tsx';
export { AdaptersPage } from '../adapters/AdaptersPage.tsx';
export { ChatPage } from '../chat/ChatPage.tsx';
