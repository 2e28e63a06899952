export * from './errors.js';
export type { DType, FloatDType, Init, ParamInfo, Sym } from './graph.js';
export { Graph } from './ops-shape.js';
export * from './optim.js';
export { Rng } from './rng.js';
export { broadcastShapes, type Dim, showShape } from './shape.js';
export * from './train.js';
