/**
 * Keepalive bookkeeping: when to send PINGREQ and when the link is dead.
 *
 * Rules (times in ms, `ka = keepAlive × 1000`):
 * - send PINGREQ when nothing was sent for `ka` (the broker's own deadline is 1.5 × ka), or nothing was
 *   received for `ka` (so a publish-only client still probes a link whose writes vanish into a dead peer);
 * - the link is dead when nothing at all was received for `1.5 × ka`: detection within 1.5 × keepAlive of
 *   the last received traffic, even if the kernel keeps accepting our writes (half-open TCP).
 * Times are stamped by the client on every send/receive (one `clock.now()`, no timer work per packet);
 * the one keepalive timer is re-armed from {@link Keepalive.nextDelay} only when it fires.
 * @module
 */

/** {@link Keepalive.check}: nothing to do. */
export const KA_IDLE = 0;
/** {@link Keepalive.check}: send a PINGREQ now. */
export const KA_PING = 1;
/** {@link Keepalive.check}: the link is dead (no traffic for 1.5 × keepAlive). */
export const KA_DEAD = 2;

/** Keepalive state of one connection. */
export class Keepalive {
  /** Keepalive interval in ms (0 = disabled). */
  readonly intervalMs: number;
  /** Last time anything was sent. */
  lastSent = 0;
  /** Last time anything was received. */
  lastReceived = 0;
  /** A PINGREQ was sent and no PINGRESP came back yet. */
  pingOutstanding = false;

  /** @param keepAliveSeconds the CONNECT keepalive (0 disables pings and detection). */
  constructor(keepAliveSeconds: number) {
    this.intervalMs = keepAliveSeconds * 1000;
  }

  /**
   * CONNACK received at `now`. `lastSent` keeps the time the CONNECT was written: the broker counts the
   * keepalive from there [MQTT-3.1.2-23], so a slow CONNACK must not push the first PINGREQ later.
   */
  start(now: number): void {
    this.lastReceived = now;
    this.pingOutstanding = false;
  }

  /** @returns KA_IDLE (0), KA_PING (1) or KA_DEAD (2) at time `now`. */
  check(now: number): number {
    const ka = this.intervalMs;
    if (ka <= 0) return KA_IDLE;
    if (now - this.lastReceived >= ka * 1.5) return KA_DEAD;
    if (!this.pingOutstanding && (now - this.lastSent >= ka || now - this.lastReceived >= ka)) return KA_PING;
    return KA_IDLE;
  }

  /** @returns ms until the next {@link check} can change its answer (>= 1), or -1 when disabled. */
  nextDelay(now: number): number {
    const ka = this.intervalMs;
    if (ka <= 0) return -1;
    let due = this.lastReceived + ka * 1.5;
    if (!this.pingOutstanding) {
      const ping = (this.lastSent < this.lastReceived ? this.lastSent : this.lastReceived) + ka;
      if (ping < due) due = ping;
    }
    const delay = due - now;
    return delay < 1 ? 1 : delay;
  }
}
