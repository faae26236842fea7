export * from './dtype.ts';
export * from './tensor.ts';
