// Every `prism` command, in the order `prism --help` lists them (DESIGN.md's contract).
import type { Command } from '../command.ts';
import { notYet } from './stub.ts';
import { makeTinyModelCommand } from './make-tiny-model.ts';
import { validate } from './validate.ts';
import { templates } from './templates.ts';
import { render } from './render.ts';
import { tokenize } from './tokenize.ts';
import { train } from './train.ts';

export const commands: Command[] = [
  validate,
  templates,
  render,
  tokenize,
  makeTinyModelCommand,
  notYet('forward', 'Run a model forward and save the logits', 'forward --model DIR --ids 1,2,3 --out FILE.safetensors', 7),
  train,
  notYet('generate', 'Generate a reply', 'generate --model DIR --template ID --prompt TEXT', 7),
];
