import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer, connect } from 'node:net';

export interface TestRedis {
  url: string;
  /** Saves its data and stops, as a Redis outage that keeps its data would. */
  stop(): Promise<void>;
  /** Starts again on the same port with the data `stop()` saved. */
  start(): Promise<void>;
  /** Stops it for good. */
  close(): Promise<void>;
}

/** A real `redis-server` on a free loopback port, its data in `dir` (no snapshots, no AOF, unless stopped). */
export async function startRedis(dir: string): Promise<TestRedis> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  let log = '';
  const start = async () => {
    log = '';
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--dbfilename', 'dump.rdb'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (chunk: Buffer) => (log += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()));
    for (let tries = 0; ; tries++) {
      if ((await send(port, 'PING').catch(() => '')).startsWith('+PONG')) return;
      if (child.exitCode !== null || tries > 200) throw new Error(`redis-server did not start on port ${port}:\n${log}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const stopWith = async (command: string) => {
    const running = child;
    if (!running || running.exitCode !== null) return;
    const exited = once(running, 'exit');
    await send(port, command).catch(() => '');
    await exited;
    child = undefined;
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    start,
    stop: () => stopWith('SHUTDOWN SAVE'),
    close: () => stopWith('SHUTDOWN NOSAVE'),
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** One inline command over a raw socket: its first reply line, or '' when the server closes first. */
function send(port: number, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let reply = '';
    socket.once('error', reject);
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      if (reply.includes('\r\n')) {
        socket.destroy();
        resolve(reply);
      }
    });
    socket.on('close', () => resolve(reply));
    socket.write(`${command}\r\n`);
  });
}
