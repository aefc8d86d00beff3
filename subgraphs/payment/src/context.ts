import type { Viewer } from '@baedal/identity';
import type { Loaders } from './loaders.js';

export interface PaymentContext {
  readonly viewer: Viewer | null;
  readonly loaders: Loaders;
}
