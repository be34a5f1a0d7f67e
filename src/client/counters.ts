/**
 * Client counters: one preallocated object of numbers per client.
 * @module
 */

/** Counters, one preallocated object per client; numbers only. */
export class ClientCounters {
  /** PUBLISH packets written (first transmissions). */
  sent = 0;
  /** PUBLISH packets received (whole messages). */
  received = 0;
  /** QoS 1 PUBLISH packets resent with DUP after a reconnect. */
  resent = 0;
  /** PUBACKs received for our QoS 1 publishes. */
  acked = 0;
  /** Publishes accepted into the offline queue. */
  queued = 0;
  /** Queued publishes dropped by "drop-oldest". */
  dropped = 0;
  /** Publishes refused with QUEUE_FULL. */
  rejected = 0;
  /** Publishes refused with BUSY. */
  busy = 0;
  /** Accepted connections (CONNACK 0). */
  connects = 0;
  /** Accepted connections after the first one. */
  reconnects = 0;
  /** Connection attempts that failed before CONNACK 0. */
  connectFailures = 0;
  /** PINGREQs sent. */
  pingsSent = 0;
  /** PINGRESPs received. */
  pingsReceived = 0;
  /** Acks for packet ids we were not waiting for. */
  unknownAcks = 0;
  /** Incoming QoS 2 redeliveries of a message already delivered (acknowledged with PUBREC, not delivered again). */
  duplicates = 0;
  /** Received PUBLISHes no subscription matched. */
  unrouted = 0;
  /** Handler exceptions (message still acknowledged). */
  handlerErrors = 0;
  /** Connections closed for protocol violations / oversize packets. */
  protocolErrors = 0;
  /** Bytes written to sockets. */
  bytesSent = 0;
  /** Socket write calls (packets are coalesced per turn, then written as power-of-two chunks). */
  writes = 0;
  /** Bytes read from sockets. */
  bytesReceived = 0;
  /** QoS 1 messages set aside as poison (see `poisonAfter`). */
  poisoned = 0;
  /** Incoming PUBLISHes larger than `rxBufferSize` acknowledged and skipped (`oversize: "skip"`). */
  skipped = 0;
  /** Writes that sent only part of the staged bytes (the rest waited for send space). */
  partialWrites = 0;
  /** Callbacks dropped because the deferred-event ring was full (should stay 0). */
  eventsDropped = 0;
  /** QoS 1/2 messages read back from the session store at construction (queued or in flight again). */
  restored = 0;
  /** Session store failures reported as `StoreError` (open, write, sync, restore). */
  storeErrors = 0;
}
