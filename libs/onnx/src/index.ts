export * from './errors.js';
export * from './placement.js';
export * from './proto.js';
export * from './session.js';
export * from './tensor.js';
export * from './webgpu.js';
