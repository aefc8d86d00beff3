import type { routerClient, Stack } from '@baedal/stack';
import pg from 'pg';

type RouterClient = ReturnType<typeof routerClient>;

/** The three people of an order's life: who orders, who cooks, who rides. */
export interface Roles {
  readonly customer: string;
  readonly owner: string;
  readonly rider: string;
}

/** What one lifecycle took, in milliseconds. */
export interface LifecycleTimes {
  readonly orderId: string;
  readonly placeOrderMs: number;
  /** From sending `placeOrder` to the kitchen, the delivery and the ticket all done. */
  readonly totalMs: number;
}

/**
 * Watches the subgraphs' databases, read directly, for the state a step waits for (the
 * ticket the kitchen made of `order.placed`, the delivery offered on ready-for-pickup ...).
 * Reading the databases instead of asking through the router keeps the waiting out of the
 * subgraphs' statement counts and CPU. One query per table every `intervalMs` answers every
 * lifecycle waiting on that table.
 */
export class StateWatcher implements AsyncDisposable {
  readonly #pools: Record<'order' | 'kitchen' | 'delivery', pg.Pool>;
  readonly #waiting = new Map<string, Wait>();
  readonly #timer: NodeJS.Timeout;
  #polling = false;

  constructor(stack: Pick<Stack, 'databaseUrls'>, intervalMs = 20) {
    const pool = (url: string) => new pg.Pool({ connectionString: url, max: 2 });
    this.#pools = {
      order: pool(stack.databaseUrls.order),
      kitchen: pool(stack.databaseUrls.kitchen),
      delivery: pool(stack.databaseUrls.delivery),
    };
    this.#timer = setInterval(() => void this.#poll(), intervalMs);
  }

  /** Resolves with the order's row of `table` once `accept` holds for it. */
  waitFor(
    table: WatchedTable,
    orderId: string,
    accept: (row: WatchedRow) => boolean,
    timeoutMs = 120_000,
  ): Promise<WatchedRow> {
    return new Promise((resolve, reject) => {
      const key = `${table}:${orderId}:${this.#waiting.size}:${Math.random()}`;
      const timer = setTimeout(() => {
        this.#waiting.delete(key);
        reject(new Error(`Timed out waiting for ${table} of order ${orderId}.`));
      }, timeoutMs);
      this.#waiting.set(key, {
        table,
        orderId,
        accept,
        resolve: (row) => {
          clearTimeout(timer);
          this.#waiting.delete(key);
          resolve(row);
        },
      });
    });
  }

  async #poll(): Promise<void> {
    if (this.#polling || this.#waiting.size === 0) return;
    this.#polling = true;
    try {
      const waits = [...this.#waiting.values()];
      await Promise.all(
        (Object.keys(queries) as WatchedTable[]).map(async (table) => {
          const mine = waits.filter((wait) => wait.table === table);
          if (mine.length === 0) return;
          const { pool, sql } = queries[table];
          const { rows } = await this.#pools[pool].query<WatchedRow>(sql, [
            [...new Set(mine.map((wait) => wait.orderId))],
          ]);
          const byOrder = new Map(rows.map((row) => [row.orderId, row]));
          for (const wait of mine) {
            const row = byOrder.get(wait.orderId);
            if (row && wait.accept(row)) wait.resolve(row);
          }
        }),
      );
    } finally {
      this.#polling = false;
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    clearInterval(this.#timer);
    await Promise.all(Object.values(this.#pools).map((pool) => pool.end()));
  }
}

export type WatchedTable = keyof typeof queries;
export interface WatchedRow {
  readonly orderId: string;
  readonly id: string;
  readonly status: string;
}
interface Wait {
  readonly table: WatchedTable;
  readonly orderId: string;
  readonly accept: (row: WatchedRow) => boolean;
  readonly resolve: (row: WatchedRow) => void;
}

const queries = {
  order: {
    pool: 'order',
    sql: 'SELECT id AS "orderId", id, status::text FROM "order" WHERE id = ANY($1::uuid[])',
  },
  ticket: {
    pool: 'kitchen',
    sql: 'SELECT order_id AS "orderId", order_id AS id, status::text FROM kitchen_ticket WHERE order_id = ANY($1::uuid[])',
  },
  delivery: {
    pool: 'delivery',
    sql: 'SELECT order_id AS "orderId", id, status::text FROM delivery WHERE order_id = ANY($1::uuid[])',
  },
} as const;

async function must<T>(
  gql: RouterClient,
  token: string,
  query: string,
  variables?: Record<string, unknown>,
): Promise<T> {
  const response = await gql<T>(token, query, variables);
  if (response.errors) throw new Error(`${query}: ${JSON.stringify(response.errors)}`);
  return response.data!;
}

/**
 * One order's whole life through the router, each step sent once, when the state it needs
 * has arrived: place (charged synchronously) -> accept -> start cooking -> finish cooking ->
 * claim -> pick up -> confirm receipt; resolves once the delivery and the kitchen ticket are
 * DELIVERED too (every event of the order applied). The rider must be near the store.
 */
export async function runLifecycle(
  gql: RouterClient,
  roles: Roles,
  watcher: StateWatcher,
  /** Called once the order is placed (to follow it live, say). */
  onPlaced?: (orderId: string) => void,
): Promise<LifecycleTimes> {
  const start = performance.now();
  const { placeOrder } = await must<{ placeOrder: { order: { id: string } } }>(
    gql,
    roles.customer,
    `mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { order { id status } } }`,
    {
      input: {
        storeId: 'store-gangnam-chicken',
        items: [{ menuItemId: 'gangnam-chicken-fried', quantity: 1 }],
        deliveryAddress: { address: '152 Teheran-ro', location: { lat: 37.5006, lng: 127.0364 } },
        payment: { cardToken: 'tok_visa' },
      },
    },
  );
  const placeOrderMs = performance.now() - start;
  const orderId = placeOrder.order.id;
  onPlaced?.(orderId);
  const ticketStep = (step: string) =>
    must(
      gql,
      roles.owner,
      `mutation($id: ID!) { ${step}(input: { orderId: $id }) { ticket { status } } }`,
      { id: orderId },
    );
  const deliveryStep = (step: string, deliveryId: string) =>
    must(
      gql,
      roles.rider,
      `mutation($id: ID!) { ${step}(input: { deliveryId: $id }) { delivery { status } } }`,
      { id: deliveryId },
    );

  await watcher.waitFor('ticket', orderId, () => true);
  await ticketStep('acceptOrder');
  await ticketStep('startCooking');
  await ticketStep('finishCooking');
  const delivery = await watcher.waitFor('delivery', orderId, () => true);
  await deliveryStep('claimDelivery', delivery.id);
  await deliveryStep('pickUpDelivery', delivery.id);
  await watcher.waitFor('order', orderId, (order) => order.status === 'PICKED_UP');
  await must(
    gql,
    roles.customer,
    'mutation($id: ID!) { confirmDelivery(input: { orderId: $id }) { order { status } } }',
    { id: orderId },
  );
  const delivered = (row: WatchedRow) => row.status === 'DELIVERED';
  await Promise.all([
    watcher.waitFor('delivery', orderId, delivered),
    watcher.waitFor('ticket', orderId, delivered),
  ]);
  return { orderId, placeOrderMs, totalMs: performance.now() - start };
}

/** The full-order query of the README's Performance section: four subgraphs, the rider too. */
export const fullOrderQuery = `query($id: ID!) { order(id: $id) {
  id status totalWon items { name quantity unitPriceWon } timeline { seq status at actor { role id } }
  payment { status amountWon cardLast4 }
  kitchenTicket { status acceptedAt readyAt }
  delivery { status feeWon rider { name vehicle } }
} }`;
