/**
 * Rate limit for the backfill lane, in readings per second. The capacity is one second of
 * rate (at least one whole batch), so a batch bigger than a second's worth still goes,
 * and the bucket may run into debt that later sends pay back.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly ratePerSecond: number,
    now: number,
  ) {
    this.tokens = ratePerSecond;
    this.last = now;
  }

  private refill(now: number): void {
    if (now > this.last) {
      this.tokens = Math.min(this.ratePerSecond, this.tokens + ((now - this.last) * this.ratePerSecond) / 1000);
      this.last = now;
    }
  }

  /** Takes `n` if any tokens are left (a positive balance pays for a batch of any size). */
  tryTake(n: number, now: number): boolean {
    this.refill(now);
    if (this.tokens <= 0) return false;
    this.tokens -= n;
    return true;
  }

  /** Milliseconds until tryTake can succeed again. */
  waitMs(now: number): number {
    this.refill(now);
    if (this.tokens > 0) return 0;
    return Math.ceil(((-this.tokens + 1) * 1000) / this.ratePerSecond);
  }
}
