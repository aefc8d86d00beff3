import { pino } from 'pino';

export type Logger = pino.Logger;

/**
 * A pino logger that stamps every line with the service's name. JSON by default;
 * `pretty` is for a developer's terminal (`npm start` uses it).
 */
export function createLogger(
  service: string,
  options: { level: string; format: 'json' | 'pretty' },
): Logger {
  return pino({
    base: { service },
    level: options.level,
    ...(options.format === 'pretty' && {
      transport: {
        target: 'pino-pretty',
        options: { ignore: 'pid,hostname,service', messageFormat: `[${service}] {msg}` },
      },
    }),
  });
}
