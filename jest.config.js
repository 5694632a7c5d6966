/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  // Type checking is `tsc --noEmit`, run by `npm test` before jest; jest only transpiles, file by file
  // (ts-jest takes that from tsconfig.json's isolatedModules).
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  testTimeout: 180_000,
  // Workers and the Temporal runtime hold native handles that jest cannot see closing.
  forceExit: true,
  verbose: true,
  setupFiles: ['<rootDir>/tests/helpers/quiet-runtime.ts'],
};
