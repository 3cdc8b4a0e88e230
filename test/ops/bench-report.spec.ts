// `npm run bench -- --report-only` re-assembles docs/performance.md from the section files alone:
// run in a copy of bench/ and the test support it imports, with no dist/ (nothing built), it must
// still write the report, and the same report as the one checked in.
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, mkdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const ROOT = join(__dirname, '..', '..');

describe('bench --report-only', () => {
  let copy: string;

  beforeAll(() => {
    copy = mkdtempSync(join(tmpdir(), 'rp-bench-report-'));
    cpSync(join(ROOT, 'bench'), join(copy, 'bench'), { recursive: true });
    cpSync(join(ROOT, 'test', 'support'), join(copy, 'test', 'support'), { recursive: true });
    mkdirSync(join(copy, 'docs'));
    symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'));
  });

  afterAll(() => rmSync(copy, { recursive: true, force: true }));

  it('writes the report without a build', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        '--experimental-transform-types',
        '--disable-warning=ExperimentalWarning',
        '--disable-warning=MODULE_TYPELESS_PACKAGE_JSON',
        'bench/run.mts',
        '--report-only',
      ],
      { cwd: copy, timeout: 60_000 },
    ).catch((error: { stdout?: string; stderr?: string }) => {
      throw new Error(`--report-only failed:\n${error.stdout ?? ''}${error.stderr ?? ''}`);
    });
    expect(stdout).toBe('');
    const report = readFileSync(join(copy, 'docs', 'performance.md'), 'utf8');
    expect(report).toBe(readFileSync(join(ROOT, 'docs', 'performance.md'), 'utf8'));
  });
});
