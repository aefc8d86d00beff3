import { replyRecord } from '@baedal/event-bus';
import type { SubgraphSchema } from '@baedal/prisma';
import { Redis } from 'ioredis';
import pg from 'pg';

/** What the four databases say of one order. */
export interface OrderFacts {
  readonly status: string | undefined;
  readonly payment: string | undefined;
  /** Charges the card provider approved for the order. */
  readonly captures: number;
  /** Refunds the card provider approved for the order. */
  readonly refunds: number;
  readonly pointsEarned: number;
  readonly pointsReversed: number;
  readonly ticket: string | undefined;
  readonly delivery: string | undefined;
}

/** What is wrong with an order after the run: each a reason, none when it is right. */
export interface OrderVerdict {
  /** Something one subgraph decided never reached another, or the order is gone. */
  readonly lost: string[];
  /** The order has not ended. */
  readonly stuck: string[];
  readonly doubleCharged: boolean;
}

/** What the run leaves behind outside the orders. */
export interface Leftovers {
  /** Approved charges of no order the order subgraph knows. */
  readonly capturesWithoutOrder: number;
  /** Outbox rows not yet published, per subgraph. */
  readonly unpublished: Record<string, number>;
  /** Stream entries delivered to a consumer group and not acknowledged, per group. */
  readonly pending: Record<string, number>;
  readonly deadLetters: Record<string, number>;
}

/**
 * Reads the four databases and the streams directly (not through the router), to judge the
 * orders of a chaos run.
 */
export class ChaosInspector implements AsyncDisposable {
  private constructor(
    private readonly databases: Record<SubgraphSchema, pg.Client>,
    private readonly redis: Redis,
    private readonly streamPrefix: string,
  ) {}

  static async open(
    databaseUrls: Readonly<Record<SubgraphSchema, string>>,
    redisUrl: string,
    streamPrefix: string,
  ): Promise<ChaosInspector> {
    const databases = Object.fromEntries(
      await Promise.all(
        Object.entries(databaseUrls).map(async ([name, connectionString]) => {
          const client = new pg.Client({ connectionString });
          await client.connect();
          return [name, client];
        }),
      ),
    ) as Record<SubgraphSchema, pg.Client>;
    // Redis may be down while a check runs (a fault under way): commands fail, then work again.
    const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, retryStrategy: () => 200 });
    redis.on('error', () => {});
    return new ChaosInspector(databases, redis, streamPrefix);
  }

  /** The facts of each order, by order id (of the orders the order subgraph or payment know). */
  async facts(orderIds: readonly string[]): Promise<Map<string, OrderFacts>> {
    const { order, payment, kitchen, delivery } = this.databases;
    const [orders, payments, points, tickets, deliveries] = await Promise.all([
      rows<{ id: string; status: string }>(
        order,
        'SELECT id, status FROM "order" WHERE id = ANY($1::uuid[])',
        orderIds,
      ),
      rows<{ order_id: string; status: string; captures: number; refunds: number }>(
        payment,
        `SELECT p.order_id, p.status,
           (SELECT count(*)::int FROM charge_attempt a
              JOIN simulated_card_operation s ON s.idempotency_key = a.key
              WHERE a.payment_id = p.id AND s.kind = 'charge' AND s.approved) AS captures,
           (SELECT count(*)::int FROM simulated_card_operation s
              WHERE s.idempotency_key = 'refund:' || p.id AND s.kind = 'refund' AND s.approved)
              AS refunds
         FROM payment p WHERE p.order_id = ANY($1::uuid[])`,
        orderIds,
      ),
      rows<{ order_id: string; kind: string; entries: number }>(
        payment,
        `SELECT order_id, kind, count(*)::int AS entries FROM points_entry
         WHERE order_id = ANY($1::uuid[]) GROUP BY order_id, kind`,
        orderIds,
      ),
      rows<{ order_id: string; status: string }>(
        kitchen,
        'SELECT order_id, status FROM kitchen_ticket WHERE order_id = ANY($1::uuid[])',
        orderIds,
      ),
      rows<{ order_id: string; status: string }>(
        delivery,
        'SELECT order_id, status FROM delivery WHERE order_id = ANY($1::uuid[])',
        orderIds,
      ),
    ]);
    const byOrder = <Row extends { order_id: string }>(list: Row[]) =>
      new Map(list.map((row) => [row.order_id, row]));
    const orderRows = new Map(orders.map((row) => [row.id, row]));
    const paymentRows = byOrder(payments);
    const ticketRows = byOrder(tickets);
    const deliveryRows = byOrder(deliveries);
    const pointsOf = (orderId: string, kind: string) =>
      points.find((row) => row.order_id === orderId && row.kind === kind)?.entries ?? 0;
    return new Map(
      orderIds.map((id) => [
        id,
        {
          status: orderRows.get(id)?.status,
          payment: paymentRows.get(id)?.status,
          captures: paymentRows.get(id)?.captures ?? 0,
          refunds: paymentRows.get(id)?.refunds ?? 0,
          pointsEarned: pointsOf(id, 'EARNED'),
          pointsReversed: pointsOf(id, 'REVERSED'),
          ticket: ticketRows.get(id)?.status,
          delivery: deliveryRows.get(id)?.status,
        },
      ]),
    );
  }

  /** The orders the order subgraph holds for these idempotency keys: by key, the order's id. */
  async ordersByKey(keys: readonly string[]): Promise<Map<string, string>> {
    const found = await rows<{ id: string; idempotency_key: string }>(
      this.databases.order,
      'SELECT id, idempotency_key FROM "order" WHERE idempotency_key = ANY($1::text[])',
      keys,
    );
    return new Map(found.map((row) => [row.idempotency_key, row.id]));
  }

  /** Everything outside the orders that must be empty once the run has converged. */
  async leftovers(): Promise<Leftovers> {
    const { order, payment } = this.databases;
    const [captured, knownOrders] = await Promise.all([
      rows<{ order_id: string | null }>(
        payment,
        `SELECT p.order_id FROM simulated_card_operation s
           LEFT JOIN charge_attempt a ON a.key = s.idempotency_key
           LEFT JOIN payment p ON p.id = a.payment_id
         WHERE s.kind = 'charge' AND s.approved`,
      ),
      rows<{ id: string }>(order, 'SELECT id FROM "order"'),
    ]);
    const known = new Set(knownOrders.map((row) => row.id));
    const unpublished: Record<string, number> = {};
    const deadLetters: Record<string, number> = {};
    for (const [name, client] of Object.entries(this.databases)) {
      const [counts] = await rows<{ unpublished: number; dead_letters: number }>(
        client,
        `SELECT (SELECT count(*)::int FROM outbox_event WHERE published_at IS NULL) AS unpublished,
                (SELECT count(*)::int FROM dead_letter) AS dead_letters`,
      );
      unpublished[name] = counts!.unpublished;
      deadLetters[name] = counts!.dead_letters;
    }
    const pending = await this.#pending();
    return {
      capturesWithoutOrder: captured.filter((row) => !row.order_id || !known.has(row.order_id))
        .length,
      unpublished,
      pending,
      deadLetters,
    };
  }

  /** The pending entries of every consumer group of every stream under the prefix. */
  async #pending(): Promise<Record<string, number>> {
    const pending: Record<string, number> = {};
    const streams = await this.redis.keys(`${this.streamPrefix}:*`);
    for (const stream of streams) {
      if ((await this.redis.type(stream)) !== 'stream') continue;
      const groups = (await this.redis.xinfo('GROUPS', stream)) as unknown[][];
      for (const flat of groups) {
        const group = replyRecord(flat);
        const name = `${stream.slice(this.streamPrefix.length + 1)} → ${String(group.name)}`;
        pending[name] = Number(group.pending);
      }
    }
    return pending;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.redis.disconnect();
    await Promise.all(Object.values(this.databases).map((client) => client.end()));
  }
}

/**
 * Judges one acknowledged order by what the databases hold. Delivered: one capture, not
 * refunded, points earned once, ticket and delivery DELIVERED. Canceled or rejected: every
 * capture refunded, points earned and taken back as often, the ticket closed the same way,
 * a delivery (if one was offered) canceled.
 */
export function judge(facts: OrderFacts): OrderVerdict {
  const lost: string[] = [];
  const stuck: string[] = [];
  const { status, payment, captures, refunds, ticket, delivery } = facts;
  const doubleCharged = captures > 1;
  if (status === undefined) return { lost: ['no order'], stuck, doubleCharged };
  const paid = status !== 'PAYMENT_PENDING';
  if (paid && captures === 0) lost.push(`${status} without a capture`);
  if (paid && ticket === undefined) lost.push(`${status} without a kitchen ticket`);
  if (status === 'DELIVERED') {
    if (payment !== 'CAPTURED' || refunds > 0) lost.push(`delivered, payment ${payment}`);
    if (facts.pointsEarned !== 1 || facts.pointsReversed !== 0) lost.push('points');
    if (ticket !== 'DELIVERED') lost.push(`delivered, ticket ${ticket}`);
    if (delivery !== 'DELIVERED') lost.push(`delivered, delivery ${delivery ?? 'missing'}`);
  } else if (status === 'CANCELED' || status === 'REJECTED') {
    if (captures > 0 && (payment !== 'REFUNDED' || refunds !== 1))
      lost.push(`${status}, payment ${payment} with ${refunds} refunds`);
    if (facts.pointsEarned !== facts.pointsReversed) lost.push('points not taken back');
    if (ticket !== undefined && ticket !== status) lost.push(`${status}, ticket ${ticket}`);
    if (delivery !== undefined && delivery !== 'CANCELED')
      lost.push(`${status}, delivery ${delivery}`);
  } else {
    stuck.push(`still ${status}`);
    if (['READY_FOR_PICKUP', 'RIDER_ASSIGNED', 'PICKED_UP'].includes(status) && !delivery)
      lost.push(`${status} without a delivery`);
  }
  return { lost, stuck, doubleCharged };
}

async function rows<Row extends pg.QueryResultRow>(
  client: pg.Client,
  text: string,
  ...values: unknown[]
): Promise<Row[]> {
  return (await client.query<Row>(text, values)).rows;
}
