/**
 * Latency through the router of one `placeOrder` (priced, saved, charged synchronously and
 * sent to the store) and of one full-order query (order + payment + kitchen ticket +
 * delivery + rider, across four subgraphs), each the median of 100 sequential requests
 * after 20 warm-up requests, on a stack of its own started as `npm start` starts it.
 *
 *     npm run bench
 */
import {
  isolatedPrefixes,
  placeDemoOrder,
  routerClient,
  startStack,
  tokenFor,
} from '@baedal/stack';
import { claimDelivery, readyForPickup, summarize, time } from './support.js';

const runs = 100;
const warmUp = 20;

const stack = await startStack({
  ...isolatedPrefixes('bench'),
  ports: 'any',
  dropDatabases: true,
  compiled: true,
  env: { LOG_LEVEL: 'warn' },
});
try {
  const gql = routerClient(stack.routerUrl);
  const customer = await tokenFor({ role: 'CUSTOMER', id: 'customer-1' });
  const owner = await tokenFor({ role: 'STORE_OWNER', id: 'owner-1' });
  const rider = await tokenFor({ role: 'RIDER', id: 'rider-1' });

  const placeOrder = () => placeDemoOrder(gql, customer);

  for (let i = 0; i < warmUp; i++) await placeOrder();
  const placeOrderMs: number[] = [];
  for (let i = 0; i < runs; i++) placeOrderMs.push(await time(placeOrder));

  // One order taken all the way to a rider, so that every part of the full query has data.
  const orderId = await placeOrder();
  await readyForPickup(gql, owner, orderId);
  await gql(
    rider,
    'mutation { updateRiderLocation(input: { location: { lat: 37.4985, lng: 127.029 } }) { rider { id } } }',
  );
  await claimDelivery(gql, { customer, rider }, orderId);

  const fullOrder = async () => {
    const response = await gql(
      customer,
      `query($id: ID!) { order(id: $id) {
        id status totalWon items { name quantity unitPriceWon } timeline { seq status at actor { role id } }
        payment { status amountWon cardLast4 }
        kitchenTicket { status acceptedAt readyAt }
        delivery { status feeWon rider { name vehicle } }
      } }`,
      { id: orderId },
    );
    if (response.errors) throw new Error(JSON.stringify(response.errors));
  };
  for (let i = 0; i < warmUp; i++) await fullOrder();
  const fullOrderMs: number[] = [];
  for (let i = 0; i < runs; i++) fullOrderMs.push(await time(fullOrder));

  console.log(
    `Latency through the router (ms, ${runs} sequential requests after ${warmUp} warm-up)`,
  );
  console.table({
    placeOrder: summarize(placeOrderMs),
    'full-order query': summarize(fullOrderMs),
  });
} finally {
  await stack[Symbol.asyncDispose]();
}
