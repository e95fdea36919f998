/**
 * The readiness probe's database check (`SELECT 1`, bounded at 2 s), shared by the service's
 * HealthController and the data plane's own /health/ready.
 */
import { isDatabaseUnavailable } from '../prisma/database-unavailable.js';
import type { PrismaService } from '../prisma/prisma.service.js';

const PROBE_TIMEOUT_MS = 2000;

/** `null` when the database answered; otherwise the message the readiness answer shows. */
export async function probeDatabase(prisma: PrismaService): Promise<string | null> {
  try {
    await Promise.race([
      prisma.$queryRawUnsafe('SELECT 1'),
      new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), PROBE_TIMEOUT_MS).unref()),
    ]);
    return null;
  } catch (err) {
    // The same classifier as every 503: unreachable, refusing or lost connections.
    return isDatabaseUnavailable(err) ? 'database unavailable' : 'database check failed';
  }
}
