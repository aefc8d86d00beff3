import type { Viewer } from '@baedal/identity';

/**
 * One thing a person does through the API (a command), and the one shape every subgraph
 * gives it: a class named after it (`PlaceOrder`, `ClaimDelivery`) in
 * `<verb>-<noun>.command.ts`, taking its collaborators in the constructor, with one method
 * that checks who asks, validates the input, and changes state through `transact`.
 */
export interface UseCase<Input, Output> {
  execute(viewer: Viewer | null, input: Input): Promise<Output>;
}
