/**
 * The disk sync of a commit, off the event loop. With `synchronous=FULL`
 * SQLite calls fdatasync on the WAL inside every COMMIT, on the thread that
 * runs it: the main thread, which meanwhile serves no callback (a CPU profile
 * of the bot under a burst of check-ins shows the COMMIT as the largest
 * single block of the event loop).
 *
 * With `database.commitSync: background` the writer connection runs at
 * `synchronous=OFF`: a COMMIT appends its frames to the WAL (write(2), into
 * the page cache) and returns; this syncer then fdatasyncs the WAL file in
 * libuv's thread pool, and the group commit resolves the batch's units, so
 * their replies and after-commit work, only when that sync has returned.
 * What a member was told is therefore on disk exactly as with FULL; what
 * changes is that the next batch runs on the event loop while the disk syncs.
 *
 * One sync runs at a time; batches that commit meanwhile share the next one
 * (a sync covers every write made before it started).
 *
 * Safe only with the background checkpointer (a worker on its own connection
 * at FULL, so a checkpoint syncs the WAL before copying and the database file
 * before the WAL may start over): the writer itself never checkpoints at OFF.
 */
import { close, fdatasync, fstat, fsync, open, stat } from 'node:fs';
import { dirname } from 'node:path';
import { promisify } from 'node:util';

const openAsync = promisify(open);
const closeAsync = promisify(close);
const fdatasyncAsync = promisify(fdatasync);
const fsyncAsync = promisify(fsync);
const fstatAsync = promisify(fstat);
const statAsync = promisify(stat);

export interface WalSyncer {
  /** Resolves once every write made to the WAL before the call is on disk. */
  sync(): Promise<void>;
  /** Syncs run so far (tests). */
  readonly syncs: number;
  close(): Promise<void>;
}

export function walSyncer(databasePath: string, syncFile: (fd: number) => Promise<void> = fdatasyncAsync): WalSyncer {
  const walPath = `${databasePath}-wal`;
  let fd: number | undefined;
  let inFlight: Promise<void> | undefined;
  let next: Promise<void> | undefined;
  let syncs = 0;

  /** The WAL's descriptor, reopened if the file was replaced; the directory is synced once, for the WAL's own entry. */
  const walFd = async (): Promise<number> => {
    if (fd !== undefined) {
      const [mine, current] = await Promise.all([fstatAsync(fd), statAsync(walPath)]);
      if (mine.ino === current.ino) return fd;
      await closeAsync(fd);
      fd = undefined;
    }
    const opened = await openAsync(walPath, 'r');
    const dir = await openAsync(dirname(walPath), 'r');
    try {
      await fsyncAsync(dir);
    } finally {
      await closeAsync(dir);
    }
    fd = opened;
    return opened;
  };

  const run = async (): Promise<void> => {
    await syncFile(await walFd());
    syncs++;
  };

  const sync = (): Promise<void> => {
    if (!inFlight) {
      inFlight = run().finally(() => {
        inFlight = undefined;
      });
      return inFlight;
    }
    // A sync already running may have started before this caller's writes: wait for the next one.
    next ??= inFlight
      .catch(() => undefined)
      .then(() => {
        next = undefined;
        return sync();
      });
    return next;
  };

  return {
    sync,
    get syncs() {
      return syncs;
    },
    async close() {
      await (next ?? inFlight)?.catch(() => undefined);
      if (fd !== undefined) await closeAsync(fd);
      fd = undefined;
    },
  };
}
