/**
 * Timers and loops (probes, heartbeats, sweepers) that hold no connection of their own: stopped
 * together, on close and on a simulated crash alike.
 */
export class BackgroundLoops {
  private readonly stops: Array<() => void> = [];

  add(stop: () => void): void {
    this.stops.push(stop);
  }

  stopAll(): void {
    for (const stop of this.stops.splice(0)) stop();
  }
}
