/// <reference path="./typings/files.d.ts" />
/**
 * The client's {@link SessionStore} on Moddable: one file in the ECMA-419 files root (`embedded:storage/files`:
 * littlefs on the esp32 `storage` partition; POSIX on the lin simulator, rooted at `config.files` or $HOME).
 *
 * The SDK's file methods throw on failure; this adapter catches and returns negative codes, the same numbers as
 * `hosts/node/file-store.ts` (the contract suite, test/contract/store-contract.ts, binds both).
 *
 * Allocation: `open` allocates (the file object, status objects); steady-state `write` and `sync` allocate
 * nothing (measured in mcsim by test/contract/moddable-store). Durability: `sync` is the SDK's `flush`, i.e.
 * `lfs_file_sync` on littlefs (one atomic commit of every write since the last one) and `fsync` on POSIX.
 *
 * littlefs cost (from the SDK's lfs.c 2.5): a file is copy-on-write, so writing at a position and syncing (or
 * moving to another position) rewrites the file from that position's block to its end; each sync commits
 * the file's metadata. Records written often belong near the end of the region.
 * @module
 */
import type { Directory, File } from "embedded:storage/files";
import Modules from "modules";
import { MAX_STORE_SIZE, STORE_IO_ERROR, STORE_NOT_OPEN, STORE_OPEN_FAILED, STORE_OUT_OF_RANGE } from "xsmqtt/client/codes";
import type { SessionStore } from "xsmqtt/client/host";

/** Options of {@link FilesSessionStore}. */
export interface FilesSessionStoreOptions {
  /** A file name in the files root, e.g. `"xsmqtt-session.bin"` (no leading "/", no "." or ".." parts). */
  path: string;
}

/**
 * The files root, imported when a store opens rather than by an `import` of this module: this module is
 * preloaded (its bytecode runs from flash), and preloading runs a module's imports at link time on the build
 * machine, where the files module's bootstrap (it opens $HOME, or mounts littlefs) cannot run (`xsl` fails
 * with "link: unavailable function"). Importing late also means a missing or unmountable `storage` partition
 * fails `open` (a code) instead of the whole app at boot.
 * @throws Error when the files module cannot be loaded or mounted.
 */
function filesRoot(): Directory {
  const root: unknown = Modules.importNow("embedded:storage/files");
  if (!isDirectory(root)) throw new Error("embedded:storage/files has no directory");
  return root;
}

function isDirectory(value: unknown): value is Directory {
  return typeof value === "object" && value !== null && typeof Reflect.get(value, "openFile") === "function" &&
    typeof Reflect.get(value, "status") === "function";
}

function isPosition(value: number): boolean {
  return Number.isInteger(value) && value >= 0 && value <= MAX_STORE_SIZE;
}

/**
 * A session store over one file of `embedded:storage/files`: `open` creates or grows it (never shrinks it),
 * `read`/`write` go to positions, `sync` flushes.
 *
 * @example
 * ```ts
 * const store = new FilesSessionStore({ path: "xsmqtt-session.bin" });
 * if (store.open(4096) < 0) trace("no session store\n");
 * ```
 */
export class FilesSessionStore implements SessionStore {
  readonly #path: string;
  #file: File | undefined = undefined;
  /** The region's size after `open`: writes must end within it. */
  #size = 0;

  /**
   * Keeps the path; the file is touched only by {@link open}.
   * @throws TypeError when `path` is not a non-empty string.
   */
  constructor(options: FilesSessionStoreOptions) {
    if (typeof options.path !== "string" || options.path === "") throw new TypeError("path required");
    this.#path = options.path;
  }

  /**
   * Opens the file (creating it when missing) and grows it to at least `size` bytes (new bytes read as 0),
   * then flushes when it created or grew it, so the region survives a power cut right after `open`. Opening
   * an open store reopens it.
   * @returns the file's size before (0 when created), or {@link STORE_OUT_OF_RANGE} for a bad `size`,
   * {@link STORE_OPEN_FAILED} when the file cannot be opened, created or grown (or `path` is not allowed).
   */
  open(size: number): number {
    if (!isPosition(size)) return STORE_OUT_OF_RANGE;
    this.close();
    let file: File | undefined = undefined;
    try {
      // Create ("w+" truncates) only when nothing is there: opening "r+" first and creating when that throws
      // would truncate an existing session after any other failure of "r+".
      const files = filesRoot();
      const created = files.status(this.#path).size === undefined;
      file = files.openFile({ path: this.#path, mode: created ? "w+" : "r+" });
      const before = created ? 0 : file.status().size;
      if (before < size) file.setSize(size);
      if (created || before < size) file.flush();
      this.#file = file;
      this.#size = before > size ? before : size;
      return before;
    } catch {
      closeQuietly(file);
      return STORE_OPEN_FAILED;
    }
  }

  /**
   * Reads `into.byteLength` bytes at `position` (fewer at the end of the file; 0 at or past it).
   * @returns the bytes read, {@link STORE_NOT_OPEN}, {@link STORE_OUT_OF_RANGE} for a bad position, or
   * {@link STORE_IO_ERROR}.
   */
  read(position: number, into: Uint8Array): number {
    const file = this.#file;
    if (file === undefined) return STORE_NOT_OPEN;
    if (!isPosition(position)) return STORE_OUT_OF_RANGE;
    // Nothing to read; skipping the call also skips littlefs's seek, which would flush a pending write.
    if (into.byteLength === 0) return 0;
    try {
      let done = file.read(into, position);
      // One call reads it all except at the end of the file; carry on from a short read (setup time only, so
      // the subarray is allowed) until the file ends.
      while (done > 0 && done < into.byteLength) {
        const n = file.read(into.subarray(done), position + done);
        if (n <= 0) break;
        done += n;
      }
      return done;
    } catch {
      return STORE_IO_ERROR;
    }
  }

  /**
   * Writes all of `from` (a view: its own offset and length) at `position`; durable only after {@link sync}.
   * Allocates nothing. `from` must be writable (the SDK refuses a read-only buffer: {@link STORE_IO_ERROR}).
   * @returns 0, {@link STORE_NOT_OPEN}, {@link STORE_OUT_OF_RANGE} when `position` is bad or the write would
   * end past the region, or {@link STORE_IO_ERROR} (e.g. no space left).
   */
  write(position: number, from: Uint8Array): number {
    const file = this.#file;
    if (file === undefined) return STORE_NOT_OPEN;
    if (!isPosition(position) || position + from.byteLength > this.#size) return STORE_OUT_OF_RANGE;
    // Nothing to write; skipping the call also skips littlefs's seek, which would flush a pending write.
    if (from.byteLength === 0) return 0;
    try {
      file.write(from, position);
      return 0;
    } catch {
      return STORE_IO_ERROR;
    }
  }

  /**
   * Makes every write so far durable: `flush` (littlefs `lfs_file_sync`, one commit; POSIX `fsync`).
   * Allocates nothing.
   * @returns 0, {@link STORE_NOT_OPEN}, or {@link STORE_IO_ERROR} (the writes since the last successful sync
   * may be lost).
   */
  sync(): number {
    const file = this.#file;
    if (file === undefined) return STORE_NOT_OPEN;
    try {
      file.flush();
      return 0;
    } catch {
      return STORE_IO_ERROR;
    }
  }

  /** Closes the file (littlefs commits unflushed writes on close; POSIX does not fsync). Idempotent. */
  close(): void {
    const file = this.#file;
    if (file === undefined) return;
    this.#file = undefined;
    this.#size = 0;
    closeQuietly(file);
  }
}

function closeQuietly(file: File | undefined): void {
  try {
    file?.close();
  } catch {
    // nothing to recover: the file is released either way
  }
}
