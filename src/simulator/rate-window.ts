/** Per-key fixed window (Affinity: 900 requests per user per minute). */
export class RateWindow {
  private windowStart = 0;
  private count = 0;
  /** Most requests admitted in one window since start or reset. */
  maxInWindow = 0;

  constructor(
    public limit: number,
    public windowSeconds: number,
  ) {}

  private roll(now: number): void {
    const windowMs = this.windowSeconds * 1000;
    if (now - this.windowStart >= windowMs) {
      this.windowStart = now;
      this.count = 0;
    }
  }

  /** Admits one request when the window has room; a refused request does not count. */
  tryTake(now: number): boolean {
    this.roll(now);
    if (this.count >= this.limit) return false;
    this.count += 1;
    if (this.count > this.maxInWindow) this.maxInWindow = this.count;
    return true;
  }

  remaining(now: number): number {
    this.roll(now);
    return Math.max(0, this.limit - this.count);
  }

  /** Whole seconds until the window resets (≥ 0). */
  resetSeconds(now: number): number {
    this.roll(now);
    return Math.max(0, Math.ceil((this.windowStart + this.windowSeconds * 1000 - now) / 1000));
  }

  set(change: { limit?: number | undefined; windowSeconds?: number | undefined }): void {
    if (change.limit !== undefined) this.limit = change.limit;
    if (change.windowSeconds !== undefined) this.windowSeconds = change.windowSeconds;
  }

  clear(): void {
    this.windowStart = 0;
    this.count = 0;
    this.maxInWindow = 0;
  }
}
