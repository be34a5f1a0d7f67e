/**
 * Start a private mosquitto broker for one test file: its own config, temp dir and free loopback port.
 *
 * No broker outlives the test process, even when the process is killed: mosquitto runs under a tiny bash
 * watchdog (a constant script; paths are passed as arguments, never spliced into it) that SIGKILLs the broker
 * when our stdin pipe closes, which the kernel does when this process dies for any reason. An `exit` hook
 * covers orderly exits too.
 *
 * @example
 * ```ts
 * const broker = await startMosquitto({ users: { dev: "secret" }, allowAnonymous: false });
 * try { ... connect to broker.url ... } finally { await broker.stop(); }
 * ```
 * @module
 */
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { chmodSync, existsSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { makeTempDir } from "./tempdir.js";

/** TLS listener settings (PEM file paths, e.g. from `makeTestPki`). */
export interface MosquittoTlsOptions {
  cafile: string;
  certfile: string;
  keyfile: string;
  /** Require a client certificate signed by `cafile` (mutual TLS). Default false. */
  requireCertificate?: boolean;
}

/** Options for {@link startMosquitto}; every field has a test-friendly default. */
export interface MosquittoOptions {
  /** Allow clients without credentials. Default: true when no `users` are given, else false. */
  allowAnonymous?: boolean;
  /** Keep sessions and queued messages across `restart()` (persistence file in the temp dir). Default false. */
  persistence?: boolean;
  /** Seconds between persistence saves (mosquitto `autosave_interval`). Default 1800 (saved at shutdown anyway). */
  autosaveInterval?: number;
  /** Queued messages per offline persistent client; 0 = unlimited. Default 100000. */
  maxQueuedMessages?: number;
  /** QoS 1/2 messages in flight per client; 0 = unlimited. Default 0. */
  maxInflightMessages?: number;
  /** Username → password; written with `mosquitto_passwd -b`. */
  users?: Record<string, string>;
  /** Add a TLS listener on a second free port. */
  tls?: MosquittoTlsOptions;
  /**
   * mosquitto `log_type`s. Default `["all"]` (every packet: best for post-mortems). Benchmarks pushing many
   * messages may want `["error", "warning", "notice"]` to keep the log small and the broker fast
   * ("information" is always added: startup readiness is read from it).
   */
  logTypes?: string[];
  /**
   * Benchmark mode: log only errors, warnings and the startup lines readiness detection reads ("information"),
   * and no connection messages, so logging never slows the broker. Overrides `logTypes`. Default false
   * (tests read the full log).
   */
  quiet?: boolean;
  /** Extra raw config lines appended at the end (test-controlled constants only). */
  extraConfig?: string[];
  /** Milliseconds to wait for the listener(s) to accept connections. Default 5000. */
  startTimeout?: number;
}

/** A running broker. */
export interface MosquittoBroker {
  /** Always "127.0.0.1". */
  readonly host: string;
  /** Plain MQTT port. */
  readonly port: number;
  /** TLS port when `tls` was given. */
  readonly tlsPort: number | undefined;
  /** `mqtt://127.0.0.1:<port>` */
  readonly url: string;
  /** `mqtts://127.0.0.1:<tlsPort>` when TLS is on. */
  readonly tlsUrl: string | undefined;
  /** PID of the mosquitto process (changes on `restart()`); 0 when stopped. */
  readonly pid: number;
  /** Temp directory holding config, log, passwords and persistence. */
  readonly dir: string;
  /** Graceful stop: SIGTERM, SIGKILL after 2 s. Resolves when the process is gone. Idempotent. */
  stop(): Promise<void>;
  /** Crash: SIGKILL now (no persistence save). Resolves when the process is gone. */
  kill(): Promise<void>;
  /** Stop (gracefully) and start again on the SAME port(s); persistence keeps sessions when enabled. */
  restart(): Promise<void>;
  /** Starts again after `stop()`/`kill()` on the same port(s). */
  start(): Promise<void>;
  /** The broker log so far (all log types) plus anything it printed to stderr. */
  logs(): string;
  /** stop() and remove the temp directory. */
  dispose(): Promise<void>;
}

// bash watchdog: $1 = mosquitto binary, $2 = config. Prints the broker pid, then waits for it; if our
// stdin (fd 3, the pipe from Node) reaches EOF first — Node died or closed it — it SIGKILLs the broker.
const WATCHDOG = [
  'exec 3<&0',
  '"$1" -c "$2" </dev/null &',
  'p=$!',
  'echo "$p"',
  '( read -r _ <&3; kill -KILL "$p" 2>/dev/null ) &',
  'w=$!',
  'wait "$p"',
  'rc=$?',
  'kill "$w" 2>/dev/null',
  'exit "$rc"',
].join("\n");

const liveBrokerPids = new Set<number>();
/** Temp dirs to remove at exit (set KEEP_MOSQUITTO_DIRS=1 to keep logs for a post-mortem). */
const tempDirs = new Set<string>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    for (const pid of liveBrokerPids) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    // The watchdog shells reap their brokers and exit on their own (killing them first would leave zombies).
    if (process.env.KEEP_MOSQUITTO_DIRS !== "1") {
      for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
    }
  });
}

/**
 * Path of the mosquitto binary: `$MOSQUITTO` when set (must exist: an explicit choice never falls back),
 * else /usr/sbin/mosquitto or the usual alternatives.
 * @throws with install instructions when none is found.
 */
export function mosquittoBinary(): string {
  const install =
    "Install it with `apt-get install -y mosquitto` (Debian/Ubuntu) or `brew install mosquitto`, " +
    "or set MOSQUITTO=/path/to/mosquitto.";
  const explicit = process.env.MOSQUITTO;
  if (explicit !== undefined && explicit !== "") {
    if (existsSync(explicit)) return explicit;
    throw new Error(`MOSQUITTO=${explicit} does not exist. ${install}`);
  }
  const candidates = ["/usr/sbin/mosquitto", "/usr/local/sbin/mosquitto", "/usr/bin/mosquitto", "/opt/homebrew/sbin/mosquitto"];
  for (const candidate of candidates) if (existsSync(candidate)) return candidate;
  throw new Error(`mosquitto not found (looked at ${candidates.join(", ")}). ${install}`);
}

function passwdBinary(broker: string): string {
  const sibling = path.join(path.dirname(broker), "mosquitto_passwd");
  for (const candidate of [process.env.MOSQUITTO_PASSWD, sibling, "/usr/bin/mosquitto_passwd", "/usr/local/bin/mosquitto_passwd"]) {
    if (candidate !== undefined && candidate !== "" && existsSync(candidate)) return candidate;
  }
  throw new Error("mosquitto_passwd not found (ships with the mosquitto package); set MOSQUITTO_PASSWD");
}

/**
 * A loopback port that was free a moment ago (bind port 0, read it, close). Racy by nature, so callers
 * retry on EADDRINUSE.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error("no port"))));
    });
  });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** `quiet`: nothing per packet or per connection; "information" carries the "running" line readiness needs. */
const QUIET_LOG_TYPES = ["error", "warning", "information"];

/** Requested log types, plus "information": readiness is detected from the "running" info line. */
function logTypes(requested: string[] | undefined): string[] {
  const types = requested ?? ["all"];
  return types.includes("all") || types.includes("information") ? types : [...types, "information"];
}

function buildConfig(dir: string, port: number, tlsPort: number | undefined, options: MosquittoOptions, hasUsers: boolean): string {
  const allowAnonymous = options.allowAnonymous ?? !hasUsers;
  const lines = [
    "# generated by test/helpers/mosquitto.ts",
    "per_listener_settings false",
    `allow_anonymous ${allowAnonymous ? "true" : "false"}`,
    `persistence ${options.persistence === true ? "true" : "false"}`,
    `persistence_location ${dir}${path.sep}`,
    "persistence_file mosquitto.db",
    `autosave_interval ${options.autosaveInterval ?? 1800}`,
    `max_queued_messages ${options.maxQueuedMessages ?? 100000}`,
    `max_inflight_messages ${options.maxInflightMessages ?? 0}`,
    ...logTypes(options.quiet === true ? QUIET_LOG_TYPES : options.logTypes).map((type) => `log_type ${type}`),
    "log_timestamp true",
    "log_timestamp_format %H:%M:%S",
    `log_dest file ${path.join(dir, "mosquitto.log")}`,
    `connection_messages ${options.quiet === true ? "false" : "true"}`,
    `pid_file ${path.join(dir, "mosquitto.pid")}`,
  ];
  // As root mosquitto drops to user "mosquitto", which could not write our temp dir; stay as we are.
  if (process.getuid?.() === 0) lines.push("user root");
  if (hasUsers) lines.push(`password_file ${path.join(dir, "passwd")}`);
  lines.push("", `listener ${port} 127.0.0.1`);
  if (tlsPort !== undefined && options.tls !== undefined) {
    lines.push(
      "",
      `listener ${tlsPort} 127.0.0.1`,
      `cafile ${options.tls.cafile}`,
      `certfile ${options.tls.certfile}`,
      `keyfile ${options.tls.keyfile}`,
      `require_certificate ${options.tls.requireCertificate === true ? "true" : "false"}`,
    );
  }
  if (options.extraConfig !== undefined) lines.push("", ...options.extraConfig);
  return lines.join("\n") + "\n";
}

/**
 * Starts mosquitto on a free 127.0.0.1 port and resolves once it accepts connections.
 * @throws when the binary is missing (with install instructions) or the broker does not come up within
 *   `startTimeout` (with its log).
 */
export async function startMosquitto(options: MosquittoOptions = {}): Promise<MosquittoBroker> {
  const binary = mosquittoBinary();
  installExitHook();
  const dir = makeTempDir("mosquitto");
  tempDirs.add(dir);
  const users = options.users ?? {};
  const names = Object.keys(users);
  if (names.length > 0) {
    const passwd = passwdBinary(binary);
    const file = path.join(dir, "passwd");
    names.forEach((name, index) => {
      const args = index === 0 ? ["-c", "-b", file, name, users[name] ?? ""] : ["-b", file, name, users[name] ?? ""];
      execFileSync(passwd, args, { stdio: ["ignore", "ignore", "pipe"] });
    });
    chmodSync(file, 0o600);
  }
  const configPath = path.join(dir, "mosquitto.conf");
  const logPath = path.join(dir, "mosquitto.log");
  const startTimeout = options.startTimeout ?? 5000;

  let port = 0;
  let tlsPort: number | undefined;
  let child: ChildProcess | null = null;
  let pid = 0;
  let stderr = "";
  let exited: Promise<void> = Promise.resolve();

  const logs = (): string => {
    let text = "";
    try {
      text = readFileSync(logPath, "utf8");
    } catch {
      // not written yet
    }
    return stderr === "" ? text : `${text}\n[stderr]\n${stderr}`;
  };

  const logSize = (): number => {
    try {
      return statSync(logPath).size;
    } catch {
      return 0;
    }
  };
  const logSince = (offset: number): string => {
    try {
      return readFileSync(logPath).subarray(offset).toString("utf8");
    } catch {
      return "";
    }
  };

  /** One launch attempt on the current ports; resolves "ok", "addrinuse" or throws. */
  const launch = async (): Promise<"ok" | "addrinuse"> => {
    writeFileSync(configPath, buildConfig(dir, port, tlsPort, options, names.length > 0));
    const logStart = logSize();
    const proc = spawn("bash", ["-c", WATCHDOG, "xsmqtt-mosquitto-watchdog", binary, configPath], {
      stdio: ["pipe", "pipe", "pipe"],
    });
    child = proc;
    let gone = false;
    exited = new Promise<void>((resolve) => {
      proc.once("exit", () => {
        gone = true;
        liveBrokerPids.delete(pid);
        resolve();
      });
    });
    proc.stderr?.setEncoding("utf8");
    proc.stderr?.on("data", (text: string) => {
      stderr += text;
    });
    // The watchdog prints the broker pid on its first stdout line.
    proc.stdout?.setEncoding("utf8");
    const pidLine = new Promise<number>((resolve) => {
      let buffered = "";
      proc.stdout?.on("data", (text: string) => {
        buffered += text;
        const newline = buffered.indexOf("\n");
        if (newline >= 0) resolve(Number.parseInt(buffered.slice(0, newline), 10));
      });
      proc.once("exit", () => resolve(0));
    });
    pid = await pidLine;
    if (pid > 0) liveBrokerPids.add(pid);
    // Ready = this launch logged "running", which mosquitto prints after every listener is bound. Reading
    // the log instead of polling the port keeps probe connections out of the log tests may assert on.
    const deadline = Date.now() + startTimeout;
    while (Date.now() < deadline) {
      if (gone) break;
      if (/ running\b/.test(logSince(logStart))) return "ok";
      await sleep(20);
    }
    const text = logSince(logStart);
    if (!gone) {
      await hardStop();
    }
    if (/Address already in use/i.test(text)) return "addrinuse";
    throw new Error(
      `mosquitto ${gone ? "exited during startup" : `did not start within ${startTimeout} ms`} (127.0.0.1:${port}).\nconfig:\n${readFileSync(configPath, "utf8")}\nlog:\n${text}\n${stderr}`,
    );
  };

  const signal = (sig: NodeJS.Signals): void => {
    if (pid > 0) {
      try {
        process.kill(pid, sig);
      } catch {
        // already gone
      }
    }
  };

  // Kill only the broker: its parent (the watchdog shell) must survive to reap it, else it lingers as a
  // zombie under an init that may not reap. The shell exits by itself right after.
  const hardStop = async (): Promise<void> => {
    signal("SIGKILL");
    const timeout = sleep(3000).then(() => "timeout" as const);
    if ((await Promise.race([exited.then(() => "exited" as const), timeout])) === "timeout") {
      child?.kill("SIGKILL");
      await exited;
    }
  };

  const stop = async (): Promise<void> => {
    if (child === null) return;
    signal("SIGTERM");
    const timeout = sleep(2000).then(() => "timeout" as const);
    if ((await Promise.race([exited.then(() => "exited" as const), timeout])) === "timeout") await hardStop();
    child = null;
    pid = 0;
  };

  const kill = async (): Promise<void> => {
    if (child === null) return;
    await hardStop();
    child = null;
    pid = 0;
  };

  /** Starts on the current ports, retrying a little while they are still being released. */
  const startSamePorts = async (): Promise<void> => {
    for (let attempt = 0; attempt < 10; attempt++) {
      if ((await launch()) === "ok") return;
      await sleep(200);
    }
    throw new Error(`mosquitto could not rebind 127.0.0.1:${port}\n${logs()}`);
  };

  // First start: pick ports, retry with fresh ones if someone grabbed them in between.
  let started = false;
  for (let attempt = 0; attempt < 5 && !started; attempt++) {
    port = await freePort();
    tlsPort = options.tls !== undefined ? await freePort() : undefined;
    if (tlsPort === port) continue;
    started = (await launch()) === "ok";
  }
  if (!started) throw new Error(`mosquitto could not bind a free port after 5 attempts\n${logs()}`);

  const broker: MosquittoBroker = {
    host: "127.0.0.1",
    get port() {
      return port;
    },
    get tlsPort() {
      return tlsPort;
    },
    get url() {
      return `mqtt://127.0.0.1:${port}`;
    },
    get tlsUrl() {
      return tlsPort === undefined ? undefined : `mqtts://127.0.0.1:${tlsPort}`;
    },
    get pid() {
      return pid;
    },
    dir,
    stop,
    kill,
    async restart() {
      await stop();
      await startSamePorts();
    },
    async start() {
      if (child !== null) return;
      await startSamePorts();
    },
    logs,
    async dispose() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
      tempDirs.delete(dir);
    },
  };
  return broker;
}
