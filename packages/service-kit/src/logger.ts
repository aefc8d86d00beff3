import { logFields } from '@baedal/telemetry';
import { pino } from 'pino';

export type Logger = pino.Logger;

/**
 * A pino logger that stamps every line with the service's name and with the fields of the
 * request or event being handled (`requestId`, `operation`, `role`; `correlationId`: see
 * `withLogFields`). Those come from the request's asynchronous scope rather than from a child
 * logger handed down every call, so that no line written on a request's behalf, however
 * deep, goes without them. JSON by default; `pretty` is for a developer's terminal (`npm
 * start` uses it).
 */
export function createLogger(
  service: string,
  options: { level: string; format: 'json' | 'pretty' },
): Logger {
  return pino({
    base: { service },
    level: options.level,
    mixin: () => logFields() ?? {},
    ...(options.format === 'pretty' && {
      transport: {
        target: 'pino-pretty',
        options: { ignore: 'pid,hostname,service', messageFormat: `[${service}] {msg}` },
      },
    }),
  });
}
