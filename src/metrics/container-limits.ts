import { readFileSync } from 'node:fs';
import { availableParallelism, totalmem } from 'node:os';

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** The container's memory limit (cgroup v2, then v1), else the machine's memory: what "memory > 80 %" is a share of. */
export function memoryLimitBytes(): number {
  const v2 = read('/sys/fs/cgroup/memory.max');
  if (v2 !== undefined && /^\d+$/.test(v2)) return Number(v2);
  const v1 = Number(read('/sys/fs/cgroup/memory/memory.limit_in_bytes') ?? NaN);
  // cgroup v1 reports "no limit" as a huge number.
  if (Number.isFinite(v1) && v1 > 0 && v1 < totalmem()) return v1;
  return totalmem();
}

/** The CPUs the container may use (cgroup v2 quota), else the machine's: what "CPU > 70 %" is a share of. */
export function cpuLimit(): number {
  const [quota, period] = (read('/sys/fs/cgroup/cpu.max') ?? '').split(/\s+/);
  if (quota && quota !== 'max' && Number(period) > 0) return Number(quota) / Number(period);
  return availableParallelism();
}
