import { open, rename } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Replace a file so that a crash leaves either the old or the new content, never a mix: write a
 * temporary file, fsync it, rename it over the target (atomic on POSIX file systems), then fsync
 * the directory so the rename itself survives a power loss.
 */
export async function writeFileAtomic(path: string, data: string | Buffer): Promise<void> {
  const tmp = `${path}.tmp`;
  const fh = await open(tmp, 'w', 0o644);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
  await syncDir(dirname(path));
}

/** fsync a directory: makes creations, renames and deletions in it durable. */
export async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
