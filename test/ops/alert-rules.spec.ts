// The alerting rules in deploy/alerts: valid for Prometheus, unit-tested against synthetic series
// (each alert fires on a sick one and stays quiet on a healthy one), and every runbook link lands
// on a section of docs/operations.md. Needs promtool on PATH (Debian: `apt-get install prometheus`;
// .ci/run installs it).
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const ROOT = join(__dirname, '..', '..');
const ALERTS = join(ROOT, 'deploy', 'alerts');
const RULES = join(ALERTS, 'realtime-processor.rules.yml');

async function promtool(...args: string[]): Promise<string> {
  try {
    const { stdout, stderr } = await promisify(execFile)('promtool', args, { cwd: ALERTS, timeout: 60_000 });
    return stdout + stderr;
  } catch (error) {
    const failure = error as { code?: string | number; stdout?: string; stderr?: string };
    if (failure.code === 'ENOENT') {
      throw new Error("promtool is not on PATH: install Debian's prometheus package (apt-get install prometheus)", {
        cause: error,
      });
    }
    throw new Error(`promtool ${args.join(' ')} failed:\n${failure.stdout ?? ''}${failure.stderr ?? ''}`, {
      cause: error,
    });
  }
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
const anchorOf = (heading: string): string =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');

describe('alerting rules', () => {
  it('pass promtool check rules', async () => {
    expect(await promtool('check', 'rules', 'realtime-processor.rules.yml')).toMatch(/SUCCESS: 9 rules found/);
  });

  it('pass promtool test rules: each alert fires on a sick series and stays quiet on a healthy one', async () => {
    expect(await promtool('test', 'rules', 'realtime-processor.test.yml')).toMatch(/SUCCESS/);
  });

  it('link every alert to its own section of the runbook', () => {
    const rules = readFileSync(RULES, 'utf8');
    const alerts = [...rules.matchAll(/- alert: (\w+)/g)].map((match) => match[1]);
    const links = [...rules.matchAll(/runbook_url: docs\/operations\.md#(\S+)/g)].map((match) => match[1]);
    const runbook = readFileSync(join(ROOT, 'docs', 'operations.md'), 'utf8');
    const anchors = new Set([...runbook.matchAll(/^#+ (.+)$/gm)].map((match) => anchorOf(match[1])));

    expect(alerts).toHaveLength(9);
    expect(links).toEqual(alerts.map((alert) => alert.toLowerCase()));
    for (const link of links) expect(anchors).toContain(link);
  });
});
