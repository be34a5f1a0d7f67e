/**
 * The host seam's contract, one suite for both hosts: `hosts/node` under vitest (test/hosts/contract.test.ts)
 * and Moddable's classes on mcsim (test/contract/moddable/, run by test/device/contract.device.ts), so the
 * desktop host cannot drift from the device again. Engine-neutral: no Node or Moddable import.
 *
 * The peer is a TCP server run by the test (test/contract/peer.ts). Each case connects, writes a one-byte case
 * id, and the server acts it out. Cases report `contract <name> ok` or `contract <name> FAIL <why>`; the suite
 * ends with `contract done passed=<n> failed=<m>`.
 * @module
 */
import type { Clock, Socket, SocketConstructor, SocketOptions } from "../../src/client/host.js";

/** Case ids the peer understands (the first byte a case writes). */
export const PeerCase = Object.freeze({
  /** Echo every byte back. */
  ECHO: 1,
  /** Send 10 bytes, then close (FIN). */
  SEND_THEN_CLOSE: 2,
  /** Close at once, abortively (RST). */
  RESET: 3,
  /** Send nothing; keep the connection open until the client closes. */
  SILENT: 4,
});

/** What the suite needs from its environment. */
export interface ContractEnv {
  /** The TCP socket class under test. */
  tcp: SocketConstructor;
  /** The clock under test. */
  clock: Clock;
  /** Loopback address of the peer. */
  address: string;
  /** The peer's port. */
  port: number;
  /** A port on which nothing listens. */
  closedPort: number;
  /** Reports one line. */
  report(line: string): void;
}

type Step = (done: (failure?: string) => void) => void;

/** Runs every case in order, then reports the totals. Never throws. */
export function runSocketContract(env: ContractEnv): void {
  const cases: [string, Step][] = [
    ["connect-by-address-then-writable", (done) => connectCase(env, { address: env.address }, done)],
    ["connect-by-name-localhost", (done) => connectCase(env, { host: "localhost" }, done)],
    ["unresolvable-name-errors-without-writable", (done) => refusedCase(env, { host: "no-such-host.invalid", port: env.port }, done)],
    ["refused-port-errors-without-writable", (done) => refusedCase(env, { address: env.address, port: env.closedPort }, done)],
    ["echo-read-exact-counts", (done) => echoCase(env, done)],
    ["read-more-than-available-throws", (done) => overreadCase(env, done)],
    ["peer-close-error-after-all-bytes-read", (done) => peerCloseCase(env, done)],
    ["unread-bytes-hold-back-error", (done) => unreadHoldsErrorCase(env, done)],
    ["write-after-failure-is-not-space", (done) => resetCase(env, done)],
    ["no-callback-after-close", (done) => closeCase(env, done)],
    ["clock-timer-once-cancel-rearm", (done) => clockCase(env, done)],
  ];
  let passed = 0;
  let failed = 0;
  let index = 0;
  const next = (): void => {
    const entry = cases[index++];
    if (entry === undefined) {
      env.report(`contract done passed=${passed} failed=${failed}`);
      return;
    }
    const [name, step] = entry;
    let finished = false;
    const guard = env.clock.timer(() => finish(`timed out`));
    env.clock.schedule(guard, 5000);
    function finish(failure?: string): void {
      if (finished) return;
      finished = true;
      env.clock.close(guard);
      if (failure === undefined) passed++;
      else failed++;
      env.report(failure === undefined ? `contract ${name} ok` : `contract ${name} FAIL ${failure}`);
      const later = env.clock.timer(() => {
        env.clock.close(later);
        next();
      });
      env.clock.schedule(later, 0);
    }
    try {
      step(finish);
    } catch (error) {
      finish(`threw ${String(error)}`);
    }
  };
  next();
}

function open(env: ContractEnv, target: { address?: string; host?: string; port?: number }, handlers: Partial<SocketOptions>): Socket {
  const options: SocketOptions = { port: target.port ?? env.port, nodelay: true, ...handlers };
  if (target.address !== undefined) options.address = target.address;
  if (target.host !== undefined) options.host = target.host;
  return new env.tcp(options);
}

function caseByte(id: number): Uint8Array {
  const b = new Uint8Array(1);
  b[0] = id;
  return b;
}

/** The first onWritable means connected; its count is the send space; `this` is the socket. */
function connectCase(env: ContractEnv, target: { address?: string; host?: string }, done: (f?: string) => void): void {
  let socket: Socket | undefined = undefined;
  socket = open(env, target, {
    onWritable(count) {
      const self = this;
      socket?.close();
      if (self !== socket) return done("onWritable's this is not the socket");
      if (!(typeof count === "number" && count > 0)) return done(`send space ${String(count)}`);
      done();
    },
    onError(reason) {
      socket?.close();
      done(`onError ${String(reason)}`);
    },
  });
}

/** A connection that cannot be made reports onError and never onWritable. */
function refusedCase(env: ContractEnv, target: { address?: string; host?: string; port: number }, done: (f?: string) => void): void {
  let socket: Socket | undefined = undefined;
  socket = open(env, target, {
    onWritable() {
      socket?.close();
      done("onWritable on a connection that cannot exist");
    },
    onError() {
      socket?.close();
      done();
    },
  });
}

/** Bytes written come back; onReadable counts what is buffered; read(view) takes exactly the view's length. */
function echoCase(env: ContractEnv, done: (f?: string) => void): void {
  let sent = false;
  let socket: Socket | undefined = undefined;
  const payload = new Uint8Array(64);
  for (let i = 0; i < payload.length; i++) payload[i] = (i * 7 + 3) & 0xff;
  const back = new Uint8Array(65);
  let got = 0;
  socket = open(env, { address: env.address }, {
    onWritable(count) {
      if (sent) return;
      sent = true;
      const left1 = socket!.write(caseByte(PeerCase.ECHO));
      if (typeof left1 !== "number" || left1 > count) return finish(`write returned ${String(left1)} with space ${count}`);
      const left2 = socket!.write(payload);
      if (typeof left2 !== "number") return finish(`write returned ${String(left2)}`);
    },
    onReadable(count) {
      if (count <= 0 || got + count > back.length) return finish(`onReadable(${count}) with ${got} already read`);
      // Two exact reads: the first half, then the rest of what is buffered.
      const half = count >> 1;
      if (half > 0) socket!.read(back.subarray(got, got + half));
      socket!.read(back.subarray(got + half, got + count));
      got += count;
      if (got === back.length) {
        if (back[0] !== PeerCase.ECHO) return finish("case byte not echoed");
        for (let i = 0; i < payload.length; i++) if (back[i + 1] !== payload[i]) return finish(`byte ${i} differs`);
        finish();
      }
    },
    onError(reason) {
      finish(`onError ${String(reason)}`);
    },
  });
  function finish(failure?: string): void {
    socket?.close();
    done(failure);
  }
}

/** Reading more than onReadable said is buffered throws and takes nothing. */
function overreadCase(env: ContractEnv, done: (f?: string) => void): void {
  let socket: Socket | undefined = undefined;
  let sent = false;
  let checked = false;
  socket = open(env, { address: env.address }, {
    onWritable() {
      if (sent) return;
      sent = true;
      socket!.write(caseByte(PeerCase.ECHO));
    },
    onReadable(count) {
      if (checked) return;
      checked = true;
      let threw = false;
      try {
        socket!.read(new Uint8Array(count + 1));
      } catch {
        threw = true;
      }
      const one = new Uint8Array(count);
      socket!.read(one);
      socket!.close();
      if (!threw) return done(`read(${count + 1}) with ${count} buffered did not throw`);
      done(one[0] === PeerCase.ECHO ? undefined : "the failed read consumed bytes");
    },
    onError(reason) {
      socket?.close();
      done(`onError ${String(reason)}`);
    },
  });
}

/**
 * After the peer's FIN, onError waits while bytes are unread, and comes once they are read in onReadable.
 * (Moddable's lin socket reports the FIN only from its poll: bytes read later, from a timer, after the FIN
 * was seen, never bring onError there. The client reads in onReadable; keepalive covers the rest.)
 */
function peerCloseCase(env: ContractEnv, done: (f?: string) => void): void {
  let socket: Socket | undefined = undefined;
  let sent = false;
  let read = 0;
  let events = "";
  const deadline = env.clock.timer(() => finish(`no onError after all bytes were read (${events})`));
  env.clock.schedule(deadline, 4000);
  socket = open(env, { address: env.address }, {
    onWritable() {
      if (sent) return;
      sent = true;
      socket!.write(caseByte(PeerCase.SEND_THEN_CLOSE));
    },
    onReadable(count) {
      events += ` readable${count}`;
      // One byte, then the rest, each as its own exact read.
      socket!.read(new Uint8Array(1));
      read++;
      if (count > 1) {
        socket!.read(new Uint8Array(count - 1));
        read += count - 1;
      }
    },
    onError() {
      events += " error";
      finish(read === 10 ? undefined : `onError with ${10 - read} bytes unread (${events})`);
    },
  });
  function finish(failure?: string): void {
    env.clock.close(deadline);
    socket?.close();
    done(failure);
  }
}

/** While received bytes stay unread, onError does not come, even after the peer closed. */
function unreadHoldsErrorCase(env: ContractEnv, done: (f?: string) => void): void {
  let socket: Socket | undefined = undefined;
  let sent = false;
  let erred = false;
  const check = env.clock.timer(() => {
    env.clock.close(check);
    socket?.close();
    done(erred ? "onError while 10 bytes were unread" : undefined);
  });
  socket = open(env, { address: env.address }, {
    onWritable() {
      if (sent) return;
      sent = true;
      socket!.write(caseByte(PeerCase.SEND_THEN_CLOSE));
      env.clock.schedule(check, 500);
    },
    onError() {
      erred = true;
    },
  });
}

/** Once the connection failed, write() no longer reports send space (undefined, or it throws). */
function resetCase(env: ContractEnv, done: (f?: string) => void): void {
  let socket: Socket | undefined = undefined;
  let sent = false;
  socket = open(env, { address: env.address }, {
    onWritable() {
      if (sent) return;
      sent = true;
      socket!.write(caseByte(PeerCase.RESET));
    },
    onError() {
      let result: unknown;
      try {
        result = socket!.write(caseByte(0));
      } catch {
        result = "threw";
      }
      socket!.close();
      done(typeof result === "number" ? `write after onError returned ${result}` : undefined);
    },
  });
}

/** close() stops every callback, even with data arriving. */
function closeCase(env: ContractEnv, done: (f?: string) => void): void {
  let socket: Socket | undefined = undefined;
  let closed = false;
  let late = "";
  socket = open(env, { address: env.address }, {
    onWritable() {
      if (closed) {
        late = "onWritable";
        return;
      }
      socket!.write(caseByte(PeerCase.SEND_THEN_CLOSE));
      socket!.close();
      closed = true;
      const wait = env.clock.timer(() => {
        env.clock.close(wait);
        done(late === "" ? undefined : `${late} after close()`);
      });
      env.clock.schedule(wait, 500);
    },
    onReadable() {
      if (closed) late = "onReadable";
    },
    onError() {
      if (closed) late = "onError";
    },
  });
}

/** A timer fires once per schedule, cancel stops it, it can be re-armed; now() never goes back. */
function clockCase(env: ContractEnv, done: (f?: string) => void): void {
  const clock = env.clock;
  const start = clock.now();
  let fired = 0;
  const timer = clock.timer(() => {
    fired++;
  });
  const cancelled = clock.timer(() => {
    fired += 100;
  });
  clock.schedule(timer, 20);
  clock.schedule(cancelled, 20);
  clock.cancel(cancelled);
  const check = clock.timer(() => {
    if (fired !== 1) return finish(`fired ${fired} times`);
    clock.schedule(timer, 10);
    const again = clock.timer(() => {
      clock.close(again);
      const elapsed = clock.now() - start;
      finish(fired === 2 && elapsed >= 150 ? undefined : `fired ${fired}, elapsed ${elapsed}`);
    });
    clock.schedule(again, 100);
  });
  clock.schedule(check, 100);
  function finish(failure?: string): void {
    clock.close(timer);
    clock.close(cancelled);
    clock.close(check);
    done(failure);
  }
}

/**
 * Runs the whole suite against `tcp`/`clock` and a peer on 127.0.0.1 (Node side: for vitest runs).
 * @returns every reported line, the last one `contract done passed=<n> failed=<m>`.
 */
export function collectSocketContract(
  tcp: SocketConstructor, clock: Clock, peer: { port: number; closedPort: number },
): Promise<string[]> {
  const lines: string[] = [];
  return new Promise((resolve) => {
    runSocketContract({
      tcp, clock, address: "127.0.0.1", port: peer.port, closedPort: peer.closedPort,
      report(line) {
        lines.push(line);
        if (line.startsWith("contract done")) resolve(lines);
      },
    });
  });
}
