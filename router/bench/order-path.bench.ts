/**
 * Latency through the router of one `placeOrder` (priced, saved, charged synchronously and
 * sent to the store) and of one full-order query (order + payment + kitchen ticket +
 * delivery + rider, across four subgraphs), each the median of 100 sequential requests
 * after 20 warm-up requests, on a stack of its own started as `npm start` starts it.
 *
 *     npm run bench
 */
import { isolatedPrefixes, routerClient, startStack, tokenFor } from '@baedal/stack';
import { summarize, time } from './stats.js';

const runs = 100;
const warmUp = 20;

const stack = await startStack({
  ...isolatedPrefixes('bench'),
  ports: 'any',
  dropDatabases: true,
  env: { LOG_LEVEL: 'warn' },
});
try {
  const gql = routerClient(stack.routerUrl);
  const customer = await tokenFor({ role: 'CUSTOMER', id: 'customer-1' });
  const owner = await tokenFor({ role: 'STORE_OWNER', id: 'owner-1' });
  const rider = await tokenFor({ role: 'RIDER', id: 'rider-1' });

  const placeOrder = async () => {
    const response = await gql<{ placeOrder: { order: { id: string } } }>(
      customer,
      `mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { order { id status totalWon } } }`,
      {
        input: {
          storeId: 'store-gangnam-chicken',
          items: [{ menuItemId: 'gangnam-chicken-fried', quantity: 1 }],
          deliveryAddress: { address: '152 Teheran-ro', location: { lat: 37.5006, lng: 127.0364 } },
          payment: { cardToken: 'tok_visa' },
        },
      },
    );
    if (response.errors) throw new Error(JSON.stringify(response.errors));
    return response.data!.placeOrder.order.id;
  };

  for (let i = 0; i < warmUp; i++) await placeOrder();
  const placeOrderMs: number[] = [];
  for (let i = 0; i < runs; i++) placeOrderMs.push(await time(placeOrder));

  // One order taken all the way to a rider, so that every part of the full query has data.
  const orderId = await placeOrder();
  const until = async (work: () => Promise<boolean>) => {
    for (let i = 0; i < 200 && !(await work()); i++) await new Promise((r) => setTimeout(r, 50));
  };
  for (const step of ['acceptOrder', 'startCooking', 'finishCooking']) {
    await until(
      async () =>
        !(
          await gql(
            owner,
            `mutation { ${step}(input: { orderId: "${orderId}" }) { ticket { status } } }`,
          )
        ).errors,
    );
  }
  await gql(
    rider,
    'mutation { updateRiderLocation(input: { location: { lat: 37.4985, lng: 127.029 } }) { rider { id } } }',
  );
  let deliveryId = '';
  await until(async () => {
    const { data } = await gql<{ order: { delivery: { id: string } | null } }>(
      customer,
      `{ order(id: "${orderId}") { delivery { id } } }`,
    );
    deliveryId = data?.order.delivery?.id ?? '';
    return deliveryId !== '';
  });
  await gql(
    rider,
    `mutation { claimDelivery(input: { deliveryId: "${deliveryId}" }) { delivery { id } } }`,
  );

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
