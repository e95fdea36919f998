/**
 * pg clients and pools whose new connections go through the DatabaseCircuit: while the database
 * is known to be down a connection attempt fails at once, without touching the network, and
 * every real attempt tells the circuit how it went. pg-pool takes the client class as its
 * documented `Client` option, so pooling, idle handling and timeouts stay pg's own.
 */
import pg from 'pg';
import type { DatabaseCircuit } from './database-circuit.js';

type ConnectCallback = (err: Error | null, client?: pg.Client) => void;

/** A pg.Client subclass bound to `circuit`. */
export function guardedClientClass(circuit: DatabaseCircuit): typeof pg.Client {
  return class GuardedClient extends pg.Client {
    // pg's own signature: a promise without a callback, the callback style with one.
    override connect(): Promise<pg.Client>;
    override connect(callback: ConnectCallback): void;
    override connect(callback?: ConnectCallback): Promise<pg.Client> | void {
      const refusal = circuit.beforeConnect();
      if (refusal) {
        if (!callback) return Promise.reject(refusal);
        process.nextTick(callback, refusal);
        return;
      }
      if (!callback)
        return super.connect().then(
          (client) => {
            circuit.connectSucceeded();
            return client;
          },
          (err: unknown) => {
            circuit.connectFailed(err);
            throw err;
          },
        );
      super.connect(((err: Error | null, client?: pg.Client) => {
        if (err) circuit.connectFailed(err);
        else circuit.connectSucceeded();
        callback(err, client);
      }) as (err: Error) => void);
    }
  };
}

/** A pg.Pool whose connections are GuardedClients. */
export function guardedPool(circuit: DatabaseCircuit, config: pg.PoolConfig): pg.Pool {
  return new pg.Pool({ ...config, Client: guardedClientClass(circuit) });
}
