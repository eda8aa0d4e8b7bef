/**
 * Who is listening on a TCP port, for the "port already in use" message: on Linux, the socket's
 * inode from /proc/net/tcp{,6}, then the process holding that inode among /proc/PID/fd. Best
 * effort: undefined whenever anything is unreadable (another user's process, another OS).
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** TCP state 0A is LISTEN. */
const LISTEN = '0A';

function listeningInodes(port: number): Set<string> {
  const inodes = new Set<string>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 10 || cols[3] !== LISTEN) continue;
      if (parseInt(cols[1]!.split(':')[1]!, 16) === port) inodes.add(cols[9]!);
    }
  }
  return inodes;
}

export function portOwner(port: number): { pid: number; command: string } | undefined {
  try {
    const inodes = listeningInodes(port);
    if (inodes.size === 0) return undefined;
    for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
      let fds: string[];
      try {
        fds = readdirSync(`/proc/${pid}/fd`);
      } catch {
        continue;
      }
      for (const fd of fds) {
        let link: string;
        try {
          link = readlinkSync(`/proc/${pid}/fd/${fd}`);
        } catch {
          continue;
        }
        const m = /^socket:\[(\d+)\]$/.exec(link);
        if (m && inodes.has(m[1]!)) {
          const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
          return { pid: Number(pid), command: command.length > 80 ? command.slice(0, 77) + '...' : command };
        }
      }
    }
  } catch {
    return undefined;
  }
  return undefined;
}
