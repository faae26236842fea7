// Every `prism` command, in the order `prism --help` lists them (DESIGN.md's contract).
import type { Command } from '../command.ts';
import { makeTinyModelCommand } from './make-tiny-model.ts';
import { validate } from './validate.ts';
import { templates } from './templates.ts';
import { render } from './render.ts';
import { tokenize } from './tokenize.ts';
import { train } from './train.ts';
import { forward } from './forward.ts';
import { generate } from './generate.ts';
import { evalCommand } from './eval.ts';
import { merge } from './merge.ts';
import { exportGguf } from './export-gguf.ts';
import { swiftCommandCli } from './swift-command.ts';

export const commands: Command[] = [
  validate,
  templates,
  render,
  tokenize,
  makeTinyModelCommand,
  forward,
  train,
  generate,
  evalCommand,
  merge,
  exportGguf,
  swiftCommandCli,
];
