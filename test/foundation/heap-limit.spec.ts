// The image's entrypoint (scripts/docker-entrypoint.sh), run as the image runs it: sh, then node.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ENTRYPOINT = join(__dirname, '..', '..', 'scripts', 'docker-entrypoint.sh');
const MIB = 1024 * 1024;
/** What node prints: V8's heap ceiling, the NODE_OPTIONS it got, and its own pid. */
const PROBE = `console.log(JSON.stringify({ heapMb: require('v8').getHeapStatistics().heap_size_limit / ${MIB}, options: process.env.NODE_OPTIONS ?? '', pid: process.pid }))`;

interface Probe {
  heapMb: number;
  options: string;
  pid: number;
  /** The pid of the process the test started (the shell, unless it exec'd node). */
  startedPid: number;
}

describe('docker entrypoint: heap sized to the container', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'rp-heap-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  /** Runs the entrypoint with `limit` as the container's memory limit file (null: no such file). */
  async function run(limit: string | null, nodeOptions?: string): Promise<Probe> {
    const file = join(dir, `memory.max.${Math.random().toString(36).slice(2)}`);
    if (limit !== null) writeFileSync(file, `${limit}\n`);
    const child = spawn('sh', [ENTRYPOINT, process.execPath, '-e', PROBE], {
      env: {
        PATH: process.env.PATH ?? '',
        MEMORY_LIMIT_FILE: file,
        ...(nodeOptions !== undefined ? { NODE_OPTIONS: nodeOptions } : {}),
      },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += String(chunk)));
    child.stderr.on('data', (chunk) => (stderr += String(chunk)));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    if (code !== 0) throw new Error(`entrypoint exited ${code}: ${stderr}`);
    return { ...(JSON.parse(stdout) as Omit<Probe, 'startedPid'>), startedPid: child.pid! };
  }

  let uncapped: Probe;
  beforeAll(async () => {
    uncapped = await run(null);
  });

  it('caps the heap at half of a 512 MiB container, where V8 alone would size it from the host', async () => {
    const capped = await run(String(512 * MIB));
    expect(capped.options).toBe('--max-old-space-size=256');
    // heap_size_limit is the old space plus the young generation's reserve.
    expect(capped.heapMb).toBeGreaterThanOrEqual(256);
    expect(capped.heapMb).toBeLessThan(320);
    // This machine's memory is far larger than 512 MiB, so V8's own ceiling is higher.
    expect(uncapped.heapMb).toBeGreaterThan(capped.heapMb);
  });

  it('follows the limit: a 2 GiB container gets a 1 GiB heap', async () => {
    const capped = await run(String(2048 * MIB));
    expect(capped.options).toBe('--max-old-space-size=1024');
    expect(capped.heapMb).toBeGreaterThanOrEqual(1024);
  });

  it('keeps the operator’s other NODE_OPTIONS and adds the cap after them', async () => {
    const capped = await run(String(512 * MIB), '--enable-source-maps');
    expect(capped.options).toBe('--enable-source-maps --max-old-space-size=256');
  });

  it('leaves a heap size the operator chose', async () => {
    const chosen = await run(String(512 * MIB), '--max-old-space-size=100');
    expect(chosen.options).toBe('--max-old-space-size=100');
    expect(chosen.heapMb).toBeLessThan(150);
  });

  it.each([
    ['no limit (cgroup v2 "max")', 'max'],
    ['no limit (cgroup v1 huge number)', '9223372036854771712'],
    ['an unreadable value', '512M; rm -rf /'],
    ['an empty file', ''],
    ['a limit too small to split (64 MiB)', String(64 * MIB)],
  ])('leaves V8’s own sizing for %s', async (_, limit) => {
    const left = await run(limit);
    expect(left.options).toBe('');
    expect(left.heapMb).toBe(uncapped.heapMb);
  });

  it('leaves V8’s own sizing when there is no limit file', () => {
    expect(uncapped.options).toBe('');
  });

  it('is what the image runs: the Dockerfile copies it and starts the service through it', () => {
    const dockerfile = readFileSync(join(__dirname, '..', '..', 'Dockerfile'), 'utf8');
    const runtime = dockerfile.slice(dockerfile.lastIndexOf('FROM '));
    expect(runtime).toContain('COPY scripts/docker-entrypoint.sh ./scripts/docker-entrypoint.sh');
    expect(runtime).toMatch(/^WORKDIR \/app$/m);
    expect(runtime).toMatch(
      /^ENTRYPOINT \["\/usr\/bin\/tini", "--", "sh", "\/app\/scripts\/docker-entrypoint\.sh"\]$/m,
    );
    expect(runtime).toMatch(/^CMD \["node", "dist\/main\.js"\]$/m);
  });

  it('replaces itself with node (exec), so SIGTERM from tini reaches the service itself', async () => {
    const probe = await run(String(512 * MIB));
    expect(probe.pid).toBe(probe.startedPid);
  });
});
