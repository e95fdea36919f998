/**
 * Drain at shutdown: the count of calls in flight, and a wait (bounded by the shutdown grace)
 * for them to end once new calls are refused.
 */
export class InFlightCalls {
  private count = 0;
  private isDraining = false;
  private drained: (() => void) | null = null;

  get size(): number {
    return this.count;
  }

  /** True once draining started: new calls get 503. */
  get draining(): boolean {
    return this.isDraining;
  }

  started(): void {
    this.count++;
  }

  ended(): void {
    this.count--;
    if (this.count === 0 && this.drained) this.drained();
  }

  /** Refuses new calls from now on and resolves when the last call ended or after `graceMs`. */
  async drain(graceMs: number): Promise<void> {
    this.isDraining = true;
    if (this.count === 0) return;
    await new Promise<void>((resolve) => {
      this.drained = resolve;
      setTimeout(resolve, graceMs).unref();
    });
  }
}
