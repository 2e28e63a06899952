// Pool worker entry when the service runs from source (.ts under tsx). Node 20 does not
// apply `--import tsx` inside worker threads, so the TypeScript loader is registered here
// before the real worker module is imported. Built code (dist) loads worker.js directly.
import { register } from 'tsx/esm/api';

register();
const mod = await import('./worker.ts');
export default mod.default;
