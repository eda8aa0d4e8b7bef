import { open, rename } from 'node:fs/promises';

/**
 * Replace a file so that a crash leaves either the old or the new content, never a mix: write a
 * temporary file, fsync it, then rename it over the target (rename is atomic on POSIX file systems).
 */
export async function writeFileAtomic(path: string, data: string | Buffer): Promise<void> {
  const tmp = `${path}.tmp`;
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
}
