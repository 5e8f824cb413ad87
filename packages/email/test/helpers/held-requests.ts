/**
 * Holds mock-server requests so a test can observe how many a client keeps in flight.
 * Requests are released in waves: as soon as `limit` are held (or every request not yet
 * released is held), the whole wave is let go, newest first, so answers arrive out of
 * input order. A client that keeps fewer than `limit` in flight never fills a wave and
 * stalls; one that sends more shows up in `maxInFlight`.
 */
export function createRequestGate(limit: number, total: number) {
  let inFlight = 0;
  let maxInFlight = 0;
  let released = 0;
  let held: Array<() => void> = [];
  const arrivals: number[] = [];

  function releaseWave(): void {
    const wave = held.reverse();
    held = [];
    released += wave.length;
    for (const resolve of wave) resolve();
  }

  return {
    /** Call from the msw handler with the item's index; resolves when its wave is released. */
    async hold(index: number): Promise<void> {
      arrivals.push(index);
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise<void>((resolve) => {
        held.push(resolve);
        if (held.length === Math.min(limit, total - released)) releaseWave();
      });
      inFlight -= 1;
    },
    /** Lets every held request go (for aborts and cleanup). */
    releaseAll: releaseWave,
    /** Requests currently held. */
    get heldCount(): number {
      return held.length;
    },
    /** Most requests seen in flight at once. */
    get maxInFlight(): number {
      return maxInFlight;
    },
    /** Item indexes in the order their requests arrived. */
    arrivals,
  };
}
