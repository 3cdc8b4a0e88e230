// .env.example documents every variable of the Environment class with its real default, and as
// shipped (copied to .env) changes nothing.
import { getMetadataStorage } from 'class-validator';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Environment, validateEnvironment } from '../../src/config/environment';

const EXAMPLE = readFileSync(join(__dirname, '..', '..', '.env.example'), 'utf8');

interface Entry {
  name: string;
  value: string;
  commented: boolean;
}

const entries: Entry[] = EXAMPLE.split('\n').flatMap((line) => {
  const match = /^(#\s*)?([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
  return match ? [{ commented: match[1] !== undefined, name: match[2], value: match[3] }] : [];
});

const validated = [
  ...new Set(
    getMetadataStorage()
      .getTargetValidationMetadatas(Environment, '', true, false)
      .map((metadata) => metadata.propertyName),
  ),
];

describe('.env.example', () => {
  it('names every validated variable exactly once, and nothing else', () => {
    const names = entries.map((entry) => entry.name);
    expect([...names].sort()).toEqual([...validated].sort());
  });

  it('shows each default as the class defines it', () => {
    const defaults = new Environment() as unknown as Record<string, unknown>;
    for (const entry of entries.filter((e) => e.commented)) {
      expect({ name: entry.name, value: entry.value }).toEqual({
        name: entry.name,
        value: String(defaults[entry.name]),
      });
    }
    // Every variable with a default shows it (commented out); the others are left blank.
    for (const [name, value] of Object.entries(defaults).filter(([, value]) => value !== undefined)) {
      expect(entries.find((entry) => entry.name === name)).toEqual({ name, value: String(value), commented: true });
    }
  });

  it('copied to .env as is, configures exactly the defaults', () => {
    const assigned = Object.fromEntries(
      entries.filter((entry) => !entry.commented).map((entry) => [entry.name, entry.value]),
    );
    expect(Object.values(assigned).every((value) => value === '')).toBe(true);
    expect(validateEnvironment(assigned)).toEqual(validateEnvironment({}));
  });
});
