/** Reading one environment variable, shared by the configuration loaders of this folder. */
import { ConfigError, type Env } from './config-error.js';

/** The trimmed value; undefined when unset or blank. */
export function str(env: Env, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

/** A whole number within [min, max], or `def` when unset. */
export function int(env: Env, name: string, def: number, min: number, max: number): number {
  const raw = str(env, name);
  if (raw === undefined) return def;
  if (!/^\d+$/.test(raw))
    throw new ConfigError(name, `must be an integer between ${min} and ${max}, got "${raw}"`);
  const n = Number(raw);
  if (n < min || n > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${n}`);
  return n;
}

/** Runs one variable's check, noting its error and going on with a stand-in value. */
export function collector(errors: ConfigError[]) {
  return <T>(check: () => T, standIn: T): T => {
    try {
      return check();
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      errors.push(err);
      return standIn;
    }
  };
}
