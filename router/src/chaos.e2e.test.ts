import { formatChaosReport, runChaos } from '@baedal/stack';
import { describe, expect, it } from 'vitest';

/*
 * The chaos run of `npm run chaos`, smaller: orders driven through the router by apps that
 * retry, while a subgraph, the router, Redis without persistence and Redis with its
 * append-only file are each killed with SIGKILL and started again. Nothing may be lost.
 */

describe('chaos', () => {
  it('loses, strands and double-charges no order when each kind of part is killed in turn', async () => {
    const report = await runChaos({
      orders: 24,
      concurrency: 4,
      faults: ['order', 'router', 'redis-empty', 'redis-aof'],
      downtimeMs: 2_000,
      stepTimeoutMs: 90_000,
      convergeTimeoutMs: 90_000,
    });
    const table = formatChaosReport(report);
    expect(report.problems, table).toEqual([]);
    expect(report.counts.acknowledged, table).toBe(report.counts.orders);
    expect(report.counts.orders).toBeGreaterThanOrEqual(24);
    expect(report.counts.delivered + report.counts.canceled + report.counts.rejected).toBe(
      report.counts.orders,
    );
    for (const row of report.rows) {
      expect(row, table).toMatchObject({ lost: 0, stuck: 0, doubleCharged: 0 });
    }
    expect(report.ok).toBe(true);
  }, 600_000);
});
