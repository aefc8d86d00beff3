/**
 * `npm run chaos`: the chaos run (see `runChaos`), with its table and counts. Exits 1 when
 * anything was lost, stuck, charged twice or left behind.
 *
 *     npm run chaos -- [--orders 300] [--concurrency 8] [--downtime 10] [--faults order,router,...]
 *                      [--step-timeout 120] [--converge-timeout 180] [--keep]
 */
import { parseArgs } from 'node:util';
import { type Fault, faults, formatChaosReport, runChaos } from './chaos.js';

const usage = `Usage: npm run chaos -- [--orders N] [--concurrency N] [--downtime SECONDS]
  [--faults ${faults.join(',')}] [--step-timeout SECONDS] [--converge-timeout SECONDS] [--keep]`;

let options: Parameters<typeof runChaos>[0];
try {
  const { values } = parseArgs({
    options: {
      orders: { type: 'string', default: '300' },
      concurrency: { type: 'string', default: '8' },
      downtime: { type: 'string', default: '10' },
      faults: { type: 'string', default: faults.join(',') },
      'step-timeout': { type: 'string', default: '120' },
      'converge-timeout': { type: 'string', default: '180' },
      keep: { type: 'boolean', default: false },
    },
  });
  const chosen = values.faults.split(',').filter(Boolean);
  const unknown = chosen.filter((fault) => !(faults as readonly string[]).includes(fault));
  if (unknown.length > 0) throw new Error(`Unknown faults: ${unknown.join(', ')}.`);
  options = {
    orders: positive(values.orders, '--orders'),
    concurrency: positive(values.concurrency, '--concurrency'),
    downtimeMs: positive(values.downtime, '--downtime') * 1000,
    faults: chosen as Fault[],
    stepTimeoutMs: positive(values['step-timeout'], '--step-timeout') * 1000,
    convergeTimeoutMs: positive(values['converge-timeout'], '--converge-timeout') * 1000,
    keepDatabases: values.keep,
    log: (line) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`),
  };
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  console.error(usage);
  process.exit(2);
}

try {
  const report = await runChaos(options);
  console.log(`\n${formatChaosReport(report)}`);
  process.exitCode = report.ok ? 0 : 1;
} catch (error) {
  // The run itself failed (the stack did not start, a part did not come back).
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 2;
}

function positive(text: string, name: string): number {
  const value = Number(text);
  if (!(value > 0)) throw new Error(`${name} must be a positive number, not "${text}".`);
  return value;
}
