import type { routerClient } from '@baedal/stack';

/** Summary statistics of latency samples, in milliseconds. */
export function summarize(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  const round = (ms: number) => Math.round(ms * 100) / 100;
  return {
    n: sorted.length,
    median: round(at(0.5)),
    p95: round(at(0.95)),
    p99: round(at(0.99)),
    min: round(sorted[0]!),
    max: round(sorted.at(-1)!),
  };
}

export async function time(work: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await work();
  return performance.now() - start;
}

/** Checks every 50 ms until `check` holds; throws, naming `what`, after five minutes. */
export async function until(check: () => Promise<boolean> | boolean, what: string): Promise<void> {
  for (let i = 0; i < 6000; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`Timed out waiting for ${what}.`);
}

type RouterClient = ReturnType<typeof routerClient>;

/** Sends an operation until it succeeds (until the event that allows it has been consumed). */
export async function must(gql: RouterClient, token: string, query: string): Promise<void> {
  await until(async () => !(await gql(token, query)).errors, query);
}

/** The store's owner accepts the order, cooks it and finishes: it waits for a rider. */
export async function readyForPickup(gql: RouterClient, owner: string, orderId: string) {
  for (const step of ['acceptOrder', 'startCooking', 'finishCooking']) {
    await must(
      gql,
      owner,
      `mutation { ${step}(input: { orderId: "${orderId}" }) { ticket { status } } }`,
    );
  }
}

/**
 * Waits until the order's delivery is offered, claims it as the rider (who must be near the
 * store), and resolves with the delivery's id.
 */
export async function claimDelivery(
  gql: RouterClient,
  tokens: { customer: string; rider: string },
  orderId: string,
): Promise<string> {
  let deliveryId = '';
  await until(async () => {
    const { data } = await gql<{ order: { delivery: { id: string } | null } }>(
      tokens.customer,
      `{ order(id: "${orderId}") { delivery { id } } }`,
    );
    deliveryId = data?.order.delivery?.id ?? '';
    return deliveryId !== '';
  }, 'the delivery');
  await must(
    gql,
    tokens.rider,
    `mutation { claimDelivery(input: { deliveryId: "${deliveryId}" }) { delivery { id } } }`,
  );
  return deliveryId;
}
