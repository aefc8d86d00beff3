import type { SubgraphContext } from '@baedal/service-kit';
import type { Loaders } from './loaders.js';

export type OrderContext = SubgraphContext<Loaders>;
