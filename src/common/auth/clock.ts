/** Injectable wall clock (milliseconds since the epoch) so tests can move time without timers. */
export type Clock = () => number;

export const AUTH_CLOCK = Symbol('AuthClock');

export const systemClock: Clock = () => Date.now();
