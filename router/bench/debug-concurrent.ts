import { isolatedPrefixes, Journey, patientCalls, startStack } from '@baedal/stack';
const stack = await startStack({ ...isolatedPrefixes('dbg'), ports: 'any', dropDatabases: true, env: { ...patientCalls, LOG_LEVEL: 'warn' } });
try {
  const journey = await Journey.start(stack.routerUrl);
  const results = await Promise.all(Array.from({ length: 50 }, () => journey.placeOrder()));
  console.log(results.filter((r) => r.errors).length, 'failed');
  for (const name of ['order', 'payment', 'router'] as const) console.log(`== ${name}\n`, stack.services[name].logs().slice(-6000));
} finally {
  await stack[Symbol.asyncDispose]();
}
