// The agent template picked on the Templates page carries over to the Train form's TrainConfig
// (once per change there, as the loss policy does), and going back to "native" removes the field.
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { validateTrainConfig } from '../../train/config.ts';
import { useStudio } from '../studio/store.ts';
import { lengthsKey } from './lengths.ts';
import { useTrain } from './store.ts';

describe('agent template on the Train page', () => {
  it('follows the Templates page picker into TrainConfig.agent_template', () => {
    useStudio.getState().setChoices({ agentTemplate: 'react_en' });
    expect(useTrain.getState().config.agent_template).toBe('react_en');
    expect(validateTrainConfig(useTrain.getState().config)).toEqual([]);
    useStudio.getState().setChoices({ agentTemplate: 'native' });
    expect('agent_template' in useTrain.getState().config).toBe(false);
  });

  it('measures lengths again when the agent template or the loss scale changes', () => {
    const job = { sha256: 'x', modelId: 'm', template: 'qwen2_5', lossScale: 'default' };
    expect(lengthsKey(job)).not.toBe(lengthsKey({ ...job, agentTemplate: 'react_en' }));
    expect(lengthsKey(job)).toBe(lengthsKey({ ...job, agentTemplate: undefined }));
    expect(lengthsKey(job)).not.toBe(lengthsKey({ ...job, lossScale: 'last_round' }));
  });
});
