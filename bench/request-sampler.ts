import type { RunningSimulator } from '../src/simulator/server.js';

/** The simulator's request count over time, sampled by the benchmark (the simulator keeps no timeline). */
export class RequestSampler {
  readonly samples: Array<{ at: number; requests: number; rateLimited: number }> = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly sim: RunningSimulator,
    private readonly everyMs = 100,
  ) {}

  start(): void {
    this.take();
    this.timer = setInterval(() => this.take(), this.everyMs);
  }

  stop(): void {
    clearInterval(this.timer);
    this.take();
  }

  private take(): void {
    const { totalRequests, rateLimited } = this.sim.stats();
    this.samples.push({ at: Date.now(), requests: totalRequests, rateLimited });
  }

  /** From the first sample with a request to the first sample holding the final count. */
  busySpan(): { from: number; to: number; requests: number } {
    const last = this.samples.at(-1);
    if (!last || last.requests === 0) return { from: 0, to: 0, requests: 0 };
    const firstBusy = this.samples.findIndex((s) => s.requests > 0);
    // The sample before the first request bounds its start (the request came after it).
    const from = this.samples[Math.max(firstBusy - 1, 0)]!.at;
    const to = this.samples.find((s) => s.requests === last.requests)!.at;
    return { from, to, requests: last.requests };
  }

  /** Most requests in any span of `windowMs` (sliding, between samples), beside the simulator's fixed windows. */
  maxInSlidingWindow(windowMs: number): number {
    let best = 0;
    let j = 0;
    for (let i = 0; i < this.samples.length; i++) {
      const end = this.samples[i]!;
      while (end.at - this.samples[j]!.at > windowMs) j++;
      best = Math.max(best, end.requests - this.samples[j]!.requests);
    }
    return best;
  }
}
