/**
 * SIGTERM / SIGINT for both entries (the service, `main.ts`, and the data plane,
 * `gateway-main.ts`): stop accepting, let in-flight requests finish (`close`, bounded by
 * SHUTDOWN_GRACE_MS), then exit 0 — also when `close` fails or outlives the grace period.
 */
export function exitOnShutdownSignals(close: () => Promise<unknown>, graceMs: number): void {
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    process.stderr.write(`${signal} received, draining\n`);
    setTimeout(() => process.exit(0), graceMs).unref();
    close().then(
      () => process.exit(0),
      () => process.exit(0),
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}
