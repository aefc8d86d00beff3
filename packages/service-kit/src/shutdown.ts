let stopping = false;

/**
 * Whether this process has been asked to stop (SIGTERM, SIGINT; see `runService`). From then
 * on `/ready` answers 503 while the service goes on serving, so that load balancers and
 * readiness probes stop sending it anything new before it closes its port.
 */
export const shuttingDown = (): boolean => stopping;

export function beginShutdown(): void {
  stopping = true;
}
