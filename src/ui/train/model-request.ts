// The page's model choice as a ModelRequest for a worker (training, lengths, chat): the demo
// model, a Hub repo (with the access token typed on the Train page, kept in memory only) or the
// files of the folder picked in this tab.
import { filesByRelativePath } from '../../model/sources/model-source.ts';
import type { ModelRequest } from '../../model/sources/request.ts';
import { TINY_ID } from './models.ts';

export type { ModelRequest };

export function modelRequestFor(
  modelId: string,
  local: { name: string; files: File[] } | null,
  token?: string,
): ModelRequest {
  if (modelId === TINY_ID) return { kind: 'tiny' };
  if (modelId.startsWith('local:')) {
    const name = modelId.slice(6);
    if (!local || local.name !== name) {
      throw new Error(
        `Pick the model folder ${name} again on the Train page: browsers do not keep a folder’s files across reloads.`,
      );
    }
    return { kind: 'local', name, files: Object.fromEntries(filesByRelativePath(local.files)) };
  }
  return token ? { kind: 'hub', repo: modelId, token } : { kind: 'hub', repo: modelId };
}
