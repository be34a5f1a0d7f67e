// Types for the SDK's ECMA-419 `embedded:storage/files` (modules/io/files: posix on lin/mac, littlefs on esp32),
// which @moddable/typings does not cover. Only what hosts/moddable/file-store.ts uses, as the SDK implements it
// (files-posix.c, files-littlefs.c); every method throws an Error on failure.
declare module "embedded:storage/files" {
  /** What `status()` fills in. `size` is absent when `Directory.status` finds no such entry (`mode` is then 0). */
  export interface FileStatus {
    readonly size?: number;
    readonly mode: number;
    isFile(): boolean;
    isDirectory(): boolean;
  }
  /** An open file. Positions and sizes are 32-bit integers. */
  export interface File {
    /**
     * Reads into `buffer` (a byte view's own offset and length are honoured) from `position`.
     * @returns the bytes read, fewer at the end of the file.
     */
    read(buffer: ArrayBuffer | ArrayBufferView, position: number): number;
    /**
     * Writes all of `buffer` (a byte view's own offset and length are honoured) at `position`. The buffer must
     * be writable: a read-only (frozen or flash-resident) buffer throws.
     */
    write(buffer: ArrayBuffer | ArrayBufferView, position: number): void;
    /** Current size (littlefs: including writes not yet flushed). Allocates the status object. */
    status(): FileStatus & { readonly size: number };
    /** Truncates or extends (with zeros) to `size` bytes. */
    setSize(size: number): void;
    /** POSIX: `fsync`. littlefs: `lfs_file_sync`, which commits the file's pending writes as one update. */
    flush(): void;
    /** Closes the file; idempotent. littlefs: an unflushed file is synced by its close. */
    close(): void;
  }
  /** The files root (posix: `config.files`, else $HOME; littlefs: the `storage` partition). */
  export interface Directory {
    /**
     * Opens `path` (relative to this folder, no leading "/", no "." or ".." parts): "r" read-only, "r+"
     * read/write (throws when missing), "w" / "w+" created or truncated.
     */
    openFile(options: { path: string; mode?: "r" | "r+" | "w" | "w+" }): File;
    /** Status of `path`; for a missing entry, `mode` is 0 and `size` is absent (no exception). */
    status(path: string): FileStatus;
    /** Deletes `path`. @returns false when it did not exist. */
    delete(path: string): boolean;
  }
  const files: Directory;
  export default files;
}
