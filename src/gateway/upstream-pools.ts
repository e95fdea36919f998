/**
 * One undici keep-alive pool per upstream origin, shared by every API on that origin. Pools of
 * origins no API uses any more are closed gracefully; all are closed on shutdown.
 */
import { Pool } from 'undici';
import { upstreamLookup } from './upstream-url.js';

const POOL_OPTIONS: Pool.Options = {
  // Enough parallel connections for a busy upstream; idle ones are closed by keep-alive limits.
  connections: 256,
  pipelining: 1,
  keepAliveTimeout: 10_000,
  keepAliveMaxTimeout: 60_000,
  connect: { timeout: 10_000 },
  // Per-request timeouts (the API's timeoutMs) are passed on each dispatch.
};

export interface UpstreamPoolsOptions {
  /** Production: refuse connections to loopback, link-local and metadata addresses (RT-8). */
  guardAddresses: boolean;
}

export class UpstreamPools {
  private readonly pools = new Map<string, Pool>();
  private readonly options: Pool.Options;

  constructor(o: UpstreamPoolsOptions = { guardAddresses: false }) {
    this.options = o.guardAddresses
      ? { ...POOL_OPTIONS, connect: { ...POOL_OPTIONS.connect, lookup: upstreamLookup } }
      : POOL_OPTIONS;
  }

  get(origin: string): Pool {
    let p = this.pools.get(origin);
    if (!p) {
      p = new Pool(origin, this.options);
      this.pools.set(origin, p);
    }
    return p;
  }

  /** Closes pools whose origin is not in `inUse` (in-flight requests finish first). */
  retain(inUse: ReadonlySet<string>): void {
    for (const [origin, pool] of this.pools) {
      if (inUse.has(origin)) continue;
      this.pools.delete(origin);
      void pool.close().catch(() => undefined);
    }
  }

  async closeAll(): Promise<void> {
    const all = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(all.map((p) => p.close().catch(() => p.destroy().catch(() => undefined))));
  }
}
