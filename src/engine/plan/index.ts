export * from './plan.ts';
export * from './tensors.ts';
export * from './allocate.ts';
