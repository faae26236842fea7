// The dataset reader's public API. See README.md in this folder for the formats and issue codes.
export type {
  Conversation,
  Message,
  ToolCall,
  Tool,
  ToolFunction,
  Issue,
  Severity,
  SourceFormat,
  Role,
  JSONSchema,
} from './types.ts';
export { readDataset, parseLine, type RecordResult, type DatasetReadOptions } from './read.ts';
export { normalizeRecord, type Normalized, type NormalizeOptions } from './normalize.ts';
export {
  summarizeDataset,
  DEFAULT_MAX_ISSUES_PER_CODE,
  type DatasetSummary,
  type SummarizeOptions,
} from './summary.ts';
export { detectFormat } from './formats.ts';
export { ISSUE_CODES, type IssueCode } from './codes.ts';
export { MAX_LINE_BYTES, type ReadOptions } from './lines.ts';
export { matchToolResults, type ToolResultMatch } from './tool-results.ts';
