/// <reference path="./typings/files.d.ts" />
/**
 * The client's {@link SessionStore} on Moddable, in the ECMA-419 files root (`embedded:storage/files`: littlefs
 * on the esp32 `storage` partition; POSIX on the lin simulator, rooted at `config.files` or $HOME), paged: page
 * k of the region, bytes `[k * pageSize, (k + 1) * pageSize)`, is the file `<path>.<k>` (k = 0, 1, …). Every
 * page is `pageSize` bytes except the last, which ends where the region ends.
 *
 * The SDK's file methods throw on failure; this adapter catches and returns negative codes, the same numbers as
 * `hosts/node/file-store.ts` (the contract suite, test/contract/store-contract.ts, binds both).
 *
 * littlefs cost (from the SDK's lfs.c 2.5): a file is copy-on-write with a CTZ skip-list, so a write at a
 * position rewrites the file from that position's block to its end into newly allocated blocks (each one
 * erased, then programmed) when the file is synced or the next write goes elsewhere in it, and each
 * `lfs_file_sync` appends the file's new head and size to its directory's metadata log (a few tens of bytes;
 * the log's block pair is compacted, one erase, when it fills). In one file, a commit near the start of the
 * client's default 26 KB region rewrote ~7 blocks. A page file of `pageSize` = the block size (4096, the
 * default) is one block, so a commit now costs one block rewritten per page it touches plus one metadata commit
 * per such page: one page for a journal commit, two when its record straddles a page boundary. Each further
 * write to the same page in one commit that does not continue right after the previous one costs one more
 * block (littlefs flushes a file's pending write when the position moves): the journal's first commit of a
 * record (its packet, then the header just before it) is two blocks when both lie on one page. Pages smaller
 * than a block save nothing (littlefs gives every file of more than 16 bytes, the SDK's cache size, a block
 * of its own) and add open files; larger ones span blocks and bring back the rewrite to the page's end.
 *
 * Durability: `sync` flushes (littlefs `lfs_file_sync`, one atomic commit per file; POSIX `fsync`) the pages
 * written since the last sync, the page of the latest write last, so what a commit writes last (the journal's
 * record header, its commit point) becomes durable after everything written before it. A sync is atomic per
 * page only: a power cut during a sync that touched two pages can keep one and lose the other, and a single
 * write that straddles two pages can be torn between them. (The journal pads its records to 32 bytes, so its
 * 32-byte record headers, its commit points, always sit at 32-byte aligned positions and never straddle.)
 *
 * Allocation: `open` allocates (the page files, status objects, bookkeeping). Steady-state `write` and `sync`
 * allocate nothing (measured in mcsim by test/contract/moddable-store): a write within one page passes the
 * caller's view as it is. The SDK's `write` takes a whole view and a position, with nothing to window the view,
 * so a write that straddles pages needs one sub-view per page: they are made the first time a view is written
 * at a position that straddles and kept (one set per page where a straddling write starts), so writing the same
 * view at the same position again, as the journal does with its record header and slot views, allocates
 * nothing. `read` allocates a sub-view per page it crosses (setup time only).
 * @module
 */
import type { Directory } from "embedded:storage/files";
import Modules from "modules";
import { MAX_STORE_SIZE, STORE_IO_ERROR, STORE_NOT_OPEN, STORE_OPEN_FAILED, STORE_OUT_OF_RANGE } from "xsmqtt/client/codes";
import type { SessionStore } from "xsmqtt/client/host";

/** Default {@link FilesSessionStoreOptions.pageSize}: the esp32 flash sector, which is littlefs's block size. */
const DEFAULT_PAGE_SIZE = 4096;
const MIN_PAGE_SIZE = 256;
const MAX_PAGE_SIZE = 0x40000000;

/**
 * What the store uses of a folder of `embedded:storage/files`: the files root, a folder opened from it, or a
 * stand-in (the contract app counts flushes with one).
 */
export interface PageDirectory {
  /** Opens `path`: "r+" an existing file, "w+" created or truncated. @throws on failure. */
  openFile(options: { path: string; mode: "r+" | "w+" }): PageFile;
  /** Status of `path`: `size` is absent when there is no such entry. */
  status(path: string): { readonly size?: number };
}

/** What the store uses of an open file of `embedded:storage/files` (every method throws on failure). */
export interface PageFile {
  /** Reads into `buffer` (its own offset and length) from `position`. @returns the bytes read. */
  read(buffer: Uint8Array, position: number): number;
  /** Writes all of `buffer` (its own offset and length) at `position`. */
  write(buffer: Uint8Array, position: number): void;
  /** Truncates or extends (with zeros) to `size` bytes. */
  setSize(size: number): void;
  /** littlefs `lfs_file_sync`; POSIX `fsync`. */
  flush(): void;
  close(): void;
}

/** Options of {@link FilesSessionStore}. */
export interface FilesSessionStoreOptions {
  /**
   * The region's name in the files root, e.g. `"xsmqtt-session.bin"` (no leading "/", no "." or ".." parts):
   * its pages are the files `<path>.0`, `<path>.1`, …
   */
  path: string;
  /**
   * Bytes per page file: a power of two from 256 to 2^30 (default 4096, littlefs's block size on the esp32, which
   * is the best choice there; see the module notes). Part of the layout on the medium: opening a region written
   * with another page size fails with `STORE_OPEN_FAILED`.
   */
  pageSize?: number;
  /**
   * The folder holding the page files (default: the `embedded:storage/files` root, imported at the first
   * `open`), e.g. a folder opened from it, or a wrapper (tests count flushes this way).
   */
  directory?: PageDirectory;
}

/**
 * The files root, imported when a store opens rather than by an `import` of this module: this module is
 * preloaded (its bytecode runs from flash), and preloading runs a module's imports at link time on the build
 * machine, where the files module's bootstrap (it opens $HOME, or mounts littlefs) cannot run (`xsl` fails
 * with "link: unavailable function"). Importing late also means a missing or unmountable `storage` partition
 * fails `open` (a code) instead of the whole app at boot.
 * @throws Error when the files module cannot be loaded or mounted.
 */
function filesRoot(): PageDirectory {
  const root: unknown = Modules.importNow("embedded:storage/files");
  if (!isDirectory(root)) throw new Error("embedded:storage/files has no directory");
  return root; // the SDK's Directory is a PageDirectory
}

function isDirectory(value: unknown): value is Directory {
  return typeof value === "object" && value !== null && typeof Reflect.get(value, "openFile") === "function" &&
    typeof Reflect.get(value, "status") === "function";
}

function isPosition(value: number): boolean {
  return Number.isInteger(value) && value >= 0 && value <= MAX_STORE_SIZE;
}

function isPageSize(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= MIN_PAGE_SIZE && value <= MAX_PAGE_SIZE &&
    (value & (value - 1)) === 0;
}

/**
 * A session store over page files of `embedded:storage/files` (see the module notes): `open` creates or grows
 * the region (never shrinks it), `read`/`write` go to positions and split at page boundaries, `sync` flushes
 * the pages written since the last sync.
 *
 * @example
 * ```ts
 * const store = new FilesSessionStore({ path: "xsmqtt-session.bin" });
 * if (store.open(4096) < 0) trace("no session store\n");
 * ```
 */
export class FilesSessionStore implements SessionStore {
  readonly #path: string;
  readonly #pageSize: number;
  readonly #directory: PageDirectory | undefined;
  #open = false;
  /** The open page files, page k at index k. */
  #files: PageFile[] = [];
  /** The region's size after `open`: writes must end within it. */
  #size = 0;
  /** 1 for a page written since the last sync. */
  #dirty = new Uint8Array(0);
  /** The dirty pages, the page of the latest write last; `#dirtyCount` of them. */
  #order = new Int32Array(0);
  #dirtyCount = 0;
  /**
   * Per page where a straddling write started: the view and position it was made for (`#splitAt`, -1 for none)
   * and its sub-views, one per page from there on (see the module notes on allocation).
   */
  #splitFrom: (Uint8Array | undefined)[] = [];
  #splitAt = new Float64Array(0);
  #splitLength = new Float64Array(0);
  #splitViews: (readonly Uint8Array[] | undefined)[] = [];

  /**
   * Keeps the options; the files are touched only by {@link open}.
   * @throws TypeError when `path` is not a non-empty string, `pageSize` is not a power of two from 256, or
   * `directory` is not a directory.
   */
  constructor(options: FilesSessionStoreOptions) {
    if (typeof options.path !== "string" || options.path === "") throw new TypeError("path required");
    const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
    if (!isPageSize(pageSize)) throw new TypeError("pageSize must be a power of two from 256");
    if (options.directory !== undefined && !isDirectory(options.directory)) throw new TypeError("directory must be a Directory");
    this.#path = options.path;
    this.#pageSize = pageSize;
    this.#directory = options.directory;
  }

  /**
   * Opens the page files (creating the missing ones) and grows the region to at least `size` bytes (new bytes
   * read as 0): every page but the last to `pageSize` bytes, the last to the region's end. Each page created or
   * grown is flushed before the next one is touched, so the region survives a power cut right after `open` and
   * a cut during it leaves whole pages followed by at most one short (or empty) one. Opening an open store reopens it.
   * @returns the region's size before (the sum of its pages' sizes; 0 when there were none), or
   * {@link STORE_OUT_OF_RANGE} for a bad `size`, {@link STORE_OPEN_FAILED} when a page cannot be opened,
   * created or grown, `path` is not allowed, or the pages on the medium were written with another `pageSize`
   * (a page other than the last is not `pageSize` bytes, or the last is longer).
   */
  open(size: number): number {
    if (!isPosition(size)) return STORE_OUT_OF_RANGE;
    this.close();
    const pageSize = this.#pageSize;
    const files: PageFile[] = [];
    try {
      const directory = this.#directory ?? filesRoot();
      // The pages already there: a run from page 0 up to the first missing one.
      const sizes: number[] = [];
      let before = 0;
      for (;;) {
        const had = directory.status(this.#pageName(sizes.length)).size;
        if (had === undefined) break;
        sizes.push(had);
        before += had;
      }
      for (let k = 0; k < sizes.length; k++) {
        if (sizes[k]! > pageSize || (k < sizes.length - 1 && sizes[k]! !== pageSize)) return STORE_OPEN_FAILED;
      }
      const total = before > size ? before : size;
      const pages = Math.ceil(total / pageSize);
      for (let k = 0; k < pages; k++) {
        const existed = k < sizes.length;
        // Create ("w+" truncates) only past the pages found: opening "r+" first and creating when that throws
        // would truncate an existing page after any other failure of "r+". A stale file past the first missing
        // page is truncated, so bytes never written read as 0.
        const file = directory.openFile({ path: this.#pageName(k), mode: existed ? "r+" : "w+" });
        files.push(file);
        const had = existed ? sizes[k]! : 0;
        const want = k < pages - 1 ? pageSize : total - k * pageSize;
        if (had < want) file.setSize(want);
        if (!existed || had < want) file.flush();
      }
      this.#files = files;
      this.#size = total;
      this.#dirty = new Uint8Array(pages);
      this.#order = new Int32Array(pages);
      this.#dirtyCount = 0;
      this.#splitFrom = [];
      this.#splitViews = [];
      for (let k = 0; k < pages; k++) {
        this.#splitFrom.push(undefined);
        this.#splitViews.push(undefined);
      }
      this.#splitAt = new Float64Array(pages).fill(-1);
      this.#splitLength = new Float64Array(pages);
      this.#open = true;
      return before;
    } catch {
      return STORE_OPEN_FAILED;
    } finally {
      if (!this.#open) for (const file of files) closeQuietly(file);
    }
  }

  /**
   * Reads `into.byteLength` bytes at `position` (fewer at the end of the region; 0 at or past it). Allocates a
   * sub-view per page crossed (setup time).
   * @returns the bytes read, {@link STORE_NOT_OPEN}, {@link STORE_OUT_OF_RANGE} for a bad position, or
   * {@link STORE_IO_ERROR}.
   */
  read(position: number, into: Uint8Array): number {
    if (!this.#open) return STORE_NOT_OPEN;
    if (!isPosition(position)) return STORE_OUT_OF_RANGE;
    const length = into.byteLength;
    // Nothing to read; skipping the call also skips littlefs's seek, which would flush a pending write.
    if (length === 0 || position >= this.#size) return 0;
    const end = position + length < this.#size ? position + length : this.#size;
    const pageSize = this.#pageSize;
    let done = 0;
    try {
      while (position + done < end) {
        const at = position + done;
        const k = Math.floor(at / pageSize);
        const offset = at - k * pageSize;
        const n = end - at < pageSize - offset ? end - at : pageSize - offset;
        const got = readFully(this.#files[k]!, n === length ? into : into.subarray(done, done + n), offset);
        done += got;
        if (got < n) break;
      }
      return done;
    } catch {
      return STORE_IO_ERROR;
    }
  }

  /**
   * Writes all of `from` (a view: its own offset and length) at `position`, split at page boundaries; durable
   * only after {@link sync}. Allocates nothing, except the first time a view is written at a position where it
   * straddles pages (see the module notes). `from` must be writable (the SDK refuses a read-only buffer:
   * {@link STORE_IO_ERROR}).
   * @returns 0, {@link STORE_NOT_OPEN}, {@link STORE_OUT_OF_RANGE} when `position` is bad or the write would
   * end past the region, or {@link STORE_IO_ERROR} (e.g. no space left).
   */
  write(position: number, from: Uint8Array): number {
    if (!this.#open) return STORE_NOT_OPEN;
    const length = from.byteLength;
    if (!isPosition(position) || position + length > this.#size) return STORE_OUT_OF_RANGE;
    // Nothing to write; skipping the call also skips littlefs's seek, which would flush a pending write.
    if (length === 0) return 0;
    const pageSize = this.#pageSize;
    const k = Math.floor(position / pageSize);
    const offset = position - k * pageSize;
    try {
      if (offset + length <= pageSize) {
        this.#touch(k);
        this.#files[k]!.write(from, offset);
        return 0;
      }
      const views = this.#pieces(k, position, from);
      for (let i = 0; i < views.length; i++) {
        this.#touch(k + i);
        this.#files[k + i]!.write(views[i]!, i === 0 ? offset : 0);
      }
      return 0;
    } catch {
      return STORE_IO_ERROR;
    }
  }

  /**
   * Makes every write so far durable: flushes (littlefs `lfs_file_sync`, one commit per page; POSIX `fsync`)
   * each page written since the last sync, the page of the latest write last. Stops at the first failure: that
   * page and the ones after it stay to be flushed by the next sync. Allocates nothing.
   * @returns 0, {@link STORE_NOT_OPEN}, or {@link STORE_IO_ERROR} (the writes since the last successful sync
   * may be lost).
   */
  sync(): number {
    if (!this.#open) return STORE_NOT_OPEN;
    const order = this.#order;
    const count = this.#dirtyCount;
    let i = 0;
    try {
      for (; i < count; i++) {
        const k = order[i]!;
        this.#files[k]!.flush();
        this.#dirty[k] = 0;
      }
      this.#dirtyCount = 0;
      return 0;
    } catch {
      for (let j = i; j < count; j++) order[j - i] = order[j]!;
      this.#dirtyCount = count - i;
      return STORE_IO_ERROR;
    }
  }

  /** Closes the page files (littlefs commits unflushed writes on close; POSIX does not fsync). Idempotent. */
  close(): void {
    if (!this.#open) return;
    const files = this.#files;
    this.#open = false;
    this.#files = [];
    this.#size = 0;
    this.#dirtyCount = 0;
    this.#splitFrom = [];
    this.#splitViews = [];
    for (const file of files) closeQuietly(file);
  }

  #pageName(k: number): string {
    return `${this.#path}.${k}`;
  }

  /** Marks page `k` written, as the latest: it moves to the end of the flush order. Allocates nothing. */
  #touch(k: number): void {
    const order = this.#order;
    const count = this.#dirtyCount;
    if (this.#dirty[k] === 0) {
      this.#dirty[k] = 1;
      order[count] = k;
      this.#dirtyCount = count + 1;
      return;
    }
    if (order[count - 1] === k) return;
    let i = 0;
    while (order[i] !== k) i++;
    for (; i < count - 1; i++) order[i] = order[i + 1]!;
    order[count - 1] = k;
  }

  /**
   * The sub-views of `from` written at `position` (which straddles pages from page `k`), one per page: the ones
   * made for the same view and position last time, or new ones (kept for next time).
   */
  #pieces(k: number, position: number, from: Uint8Array): readonly Uint8Array[] {
    const kept = this.#splitViews[k];
    if (kept !== undefined && this.#splitFrom[k] === from && this.#splitAt[k] === position &&
      this.#splitLength[k] === from.byteLength) return kept;
    const pageSize = this.#pageSize;
    const length = from.byteLength;
    const views: Uint8Array[] = [];
    let done = 0;
    let room = pageSize - (position - k * pageSize);
    while (done < length) {
      const n = length - done < room ? length - done : room;
      views.push(from.subarray(done, done + n));
      done += n;
      room = pageSize;
    }
    this.#splitFrom[k] = from;
    this.#splitAt[k] = position;
    this.#splitLength[k] = length;
    this.#splitViews[k] = views;
    return views;
  }
}

/** Reads `into.byteLength` bytes at `position`, carrying on from a short read until the file ends. */
function readFully(file: PageFile, into: Uint8Array, position: number): number {
  let done = file.read(into, position);
  while (done > 0 && done < into.byteLength) {
    const n = file.read(into.subarray(done), position + done);
    if (n <= 0) break;
    done += n;
  }
  return done;
}

function closeQuietly(file: PageFile): void {
  try {
    file.close();
  } catch {
    // nothing to recover: the file is released either way
  }
}
