// SWC compiles TypeScript and also the ESM-only dependencies (NestJS 12 and friends) to CommonJS,
// because Jest on Node 22 cannot require() ES modules itself. Types are checked by `npm run typecheck`.
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2023',
    },
    module: { type: 'commonjs' },
  },
];

module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/src', '<rootDir>/test'],
  testMatch: ['**/*.spec.ts'],
  transform: { '^.+\\.(t|j|mj)s$': swc },
  transformIgnorePatterns: [],
  // A backstop against a hung test, not a speed check: CI machines can be several times slower than
  // a laptop, and a black-box test that starts the service and waits on it must not fail from that.
  testTimeout: 120_000,
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
};
