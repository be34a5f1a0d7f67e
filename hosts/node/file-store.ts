/**
 * {@link SessionStore} for Node: the client's persistent session in one file, through node:fs's synchronous
 * calls (the seam is synchronous, like Moddable's `embedded:storage/files`; see `hosts/moddable/file-store.ts`).
 *
 * Failures are returned as negative codes, never thrown, so a full disk or a vanished file reaches the client
 * as a status it can act on. The codes are the same numbers as the Moddable store's; the contract suite
 * (test/contract/store-contract.ts) binds both implementations.
 * @module
 */
import fs from "node:fs";
import path from "node:path";
import { MAX_STORE_SIZE, STORE_IO_ERROR, STORE_NOT_OPEN, STORE_OPEN_FAILED, STORE_OUT_OF_RANGE } from "../../src/client/codes.js";
import type { SessionStore } from "../../src/client/host.js";

/** Owner read/write only: the session holds message payloads. */
const FILE_MODE = 0o600;

/** Options of {@link FileSessionStore}. */
export interface FileSessionStoreOptions {
  /** The file (created on `open` when missing; its folder must exist). */
  path: string;
  /**
   * `true` (default): `sync()` is `fsync`, so what was synced survives a power cut or an OS crash.
   * `false`: `sync()` does nothing; what was written survives the process being killed (the OS keeps the
   * written pages) but NOT a power cut. For tests and for hosts whose power is not at risk.
   */
  durable?: boolean;
}

function isPosition(value: number): boolean {
  return Number.isInteger(value) && value >= 0 && value <= MAX_STORE_SIZE;
}

/**
 * A session store over one file: `open` creates or grows it (never shrinks it), `read`/`write` are `pread`/
 * `pwrite` at positions, `sync` is `fsync` when durable.
 *
 * @example
 * ```ts
 * const store = new FileSessionStore({ path: "/var/lib/sensor/session.bin" });
 * if (store.open(4096) < 0) throw new Error("no session store");
 * ```
 */
export class FileSessionStore implements SessionStore {
  readonly #path: string;
  readonly #durable: boolean;
  /** Open descriptor, or -1. */
  #fd = -1;
  /** The region's size after `open`: writes must end within it. */
  #size = 0;

  /**
   * Keeps the options; the file is touched only by {@link open}.
   * @throws TypeError when `path` is not a non-empty string.
   */
  constructor(options: FileSessionStoreOptions) {
    if (typeof options.path !== "string" || options.path === "") throw new TypeError("path required");
    this.#path = options.path;
    this.#durable = options.durable !== false;
  }

  /**
   * Opens the file (creating it when missing) and grows it to at least `size` bytes; new bytes read as 0.
   * When durable, a growth and a creation are made durable here (the file's size, and its entry in the folder),
   * so a power cut right after `open` cannot lose the region. Opening an open store reopens it.
   * @returns the file's size before (0 when created), or {@link STORE_OUT_OF_RANGE} for a bad `size`,
   * {@link STORE_OPEN_FAILED} when the file cannot be opened, created or grown.
   */
  open(size: number): number {
    if (!isPosition(size)) return STORE_OUT_OF_RANGE;
    this.close();
    let fd = -1;
    try {
      let created = false;
      try {
        fd = fs.openSync(this.#path, "r+");
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
        // "wx+": create exclusively, so a file made by someone else in between is not truncated.
        fd = fs.openSync(this.#path, "wx+", FILE_MODE);
        created = true;
      }
      const before = fs.fstatSync(fd).size;
      if (before < size) fs.ftruncateSync(fd, size);
      if (this.#durable && (created || before < size)) {
        fs.fsyncSync(fd);
        if (created) syncFolder(this.#path);
      }
      this.#fd = fd;
      this.#size = Math.max(before, size);
      return before;
    } catch {
      if (fd >= 0) closeQuietly(fd);
      return STORE_OPEN_FAILED;
    }
  }

  /**
   * Reads `into.byteLength` bytes at `position` (fewer at the end of the file; 0 at or past it).
   * @returns the bytes read, {@link STORE_NOT_OPEN}, {@link STORE_OUT_OF_RANGE} for a bad position, or
   * {@link STORE_IO_ERROR}.
   */
  read(position: number, into: Uint8Array): number {
    const fd = this.#fd;
    if (fd < 0) return STORE_NOT_OPEN;
    if (!isPosition(position)) return STORE_OUT_OF_RANGE;
    try {
      // pread may return fewer bytes than asked before the end (a signal); only 0 means the end.
      let done = 0;
      while (done < into.byteLength) {
        const n = fs.readSync(fd, into, done, into.byteLength - done, position + done);
        if (n === 0) break;
        done += n;
      }
      return done;
    } catch {
      return STORE_IO_ERROR;
    }
  }

  /**
   * Writes all of `from` at `position`; durable only after {@link sync}.
   * @returns 0, {@link STORE_NOT_OPEN}, {@link STORE_OUT_OF_RANGE} when `position` is bad or the write would
   * end past the region, or {@link STORE_IO_ERROR} (e.g. no space left).
   */
  write(position: number, from: Uint8Array): number {
    const fd = this.#fd;
    if (fd < 0) return STORE_NOT_OPEN;
    if (!isPosition(position) || position + from.byteLength > this.#size) return STORE_OUT_OF_RANGE;
    try {
      // pwrite may write part of the bytes; carry on from where it stopped.
      let done = 0;
      while (done < from.byteLength) {
        const n = fs.writeSync(fd, from, done, from.byteLength - done, position + done);
        if (n <= 0) return STORE_IO_ERROR; // no progress: never loop forever
        done += n;
      }
      return 0;
    } catch {
      return STORE_IO_ERROR;
    }
  }

  /**
   * Makes every write so far durable (`fsync`) when the store is durable; otherwise does nothing (the writes
   * already survive a process kill).
   * @returns 0, {@link STORE_NOT_OPEN}, or {@link STORE_IO_ERROR} when `fsync` fails (the writes since the last
   * successful sync may be lost).
   */
  sync(): number {
    const fd = this.#fd;
    if (fd < 0) return STORE_NOT_OPEN;
    if (!this.#durable) return 0;
    try {
      fs.fsyncSync(fd);
      return 0;
    } catch {
      return STORE_IO_ERROR;
    }
  }

  /** Closes the file (without a sync). Idempotent. */
  close(): void {
    const fd = this.#fd;
    if (fd < 0) return;
    this.#fd = -1;
    this.#size = 0;
    closeQuietly(fd);
  }
}

function closeQuietly(fd: number): void {
  try {
    fs.closeSync(fd);
  } catch {
    // nothing to recover: the descriptor is gone either way
  }
}

/**
 * Makes a new file's entry in its folder durable (POSIX: a created file survives a power cut only once its
 * folder is synced). Best effort: some platforms (Windows) cannot open a folder, and the file's own data is
 * synced regardless.
 */
function syncFolder(file: string): void {
  let fd = -1;
  try {
    fd = fs.openSync(path.dirname(path.resolve(file)), "r");
    fs.fsyncSync(fd);
  } catch {
    // see above
  } finally {
    if (fd >= 0) closeQuietly(fd);
  }
}
