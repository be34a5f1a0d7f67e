/**
 * Keepalive bookkeeping: when to send PINGREQ and when the link is dead.
 *
 * Rules (times in ms, `ka = keepAlive × 1000`):
 * - send PINGREQ when nothing was sent for `ka` (the broker's own deadline is 1.5 × ka), or no complete packet
 *   was received for `ka` (so a publish-only client still probes a link whose writes vanish into a dead peer);
 * - the link is dead when no COMPLETE packet was received for `1.5 × ka`. Bytes of a packet still being
 *   received do not count: a broker trickling a PUBLISH one byte at a time does not keep a link "alive";
 * - a PINGREQ has its own deadline: no PINGRESP within `pingTimeout` ms of writing it means the link is dead;
 * - while a wanted PINGREQ cannot be staged yet (no send room), only the dead-link deadline is armed, so the
 *   timer never spins; the PINGREQ goes out when room frees.
 * Times are stamped by the client (one `clock.now()` per read / write); the one keepalive timer is re-armed
 * from {@link Keepalive.nextDelay}.
 * @module
 */

/** {@link Keepalive.check}: nothing to do. */
export const KA_IDLE = 0;
/** {@link Keepalive.check}: send a PINGREQ now. */
export const KA_PING = 1;
/** {@link Keepalive.check}: the link is dead (no complete packet for 1.5 × keepAlive). */
export const KA_DEAD = 2;
/** {@link Keepalive.check}: the PINGREQ got no PINGRESP within `pingTimeout`. */
export const KA_PING_TIMEOUT = 3;

/** Keepalive state of one connection. */
export class Keepalive {
  /** Keepalive interval in ms (0 = disabled). */
  readonly intervalMs: number;
  /** Ms a PINGREQ may wait for its PINGRESP. */
  readonly pingTimeoutMs: number;
  /** Last time anything was written. */
  lastSent = 0;
  /** Last time a complete packet was received. */
  lastReceived = 0;
  /** A PINGREQ was staged/written and no PINGRESP came back yet. */
  pingOutstanding = false;
  /** When the outstanding PINGREQ was staged. */
  pingSentAt = 0;
  /** A PINGREQ is due but could not be staged yet (no send room). */
  pingPending = false;

  /** @param keepAliveSeconds the CONNECT keepalive (0 disables); @param pingTimeoutMs PINGRESP deadline. */
  constructor(keepAliveSeconds: number, pingTimeoutMs: number) {
    this.intervalMs = keepAliveSeconds * 1000;
    this.pingTimeoutMs = pingTimeoutMs;
  }

  /**
   * CONNACK received at `now`. `lastSent` keeps the time the CONNECT was written: the broker counts the
   * keepalive from there [MQTT-3.1.2-23], so a slow CONNACK must not push the first PINGREQ later.
   */
  start(now: number): void {
    this.lastReceived = now;
    this.pingOutstanding = false;
    this.pingPending = false;
  }

  /** A PINGREQ was staged at `now`. */
  pingSent(now: number): void {
    this.pingPending = false;
    this.pingOutstanding = true;
    this.pingSentAt = now;
  }

  /** @returns KA_IDLE (0), KA_PING (1), KA_DEAD (2) or KA_PING_TIMEOUT (3) at time `now`. */
  check(now: number): number {
    const ka = this.intervalMs;
    if (ka <= 0) return KA_IDLE;
    if (now - this.lastReceived >= ka * 1.5) return KA_DEAD;
    if (this.pingOutstanding && now - this.pingSentAt >= this.pingTimeoutMs) return KA_PING_TIMEOUT;
    if (!this.pingOutstanding && !this.pingPending && (now - this.lastSent >= ka || now - this.lastReceived >= ka)) {
      return KA_PING;
    }
    return KA_IDLE;
  }

  /** @returns ms until the next {@link check} can change its answer (>= 1), or -1 when disabled. */
  nextDelay(now: number): number {
    const ka = this.intervalMs;
    if (ka <= 0) return -1;
    let due = this.lastReceived + ka * 1.5;
    if (this.pingOutstanding) {
      const deadline = this.pingSentAt + this.pingTimeoutMs;
      if (deadline < due) due = deadline;
    } else if (!this.pingPending) {
      const ping = (this.lastSent < this.lastReceived ? this.lastSent : this.lastReceived) + ka;
      if (ping < due) due = ping;
    }
    const delay = due - now;
    return delay < 1 ? 1 : delay;
  }
}
