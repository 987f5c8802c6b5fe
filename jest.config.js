const os = require('node:os');

/** @type {import('jest').Config} */
module.exports = {
  // The suites mostly wait on sockets and child processes: on a 2-core machine, Jest's
  // default (cores - 1 = one worker) left a core idle and took twice as long, and two
  // workers still left a fifth of the CPU idle (the suite in 325 s, 80 % busy; three
  // workers: 96 % busy, 13 % sooner, measured 2026-12-08).
  maxWorkers: Math.max(3, os.availableParallelism() - 1),
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.(t|j)s$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  // jose is ESM-only: compile it to CommonJS like the sources. The OTLP exporter loads
  // node:http with import(), which Jest's VM refuses without --experimental-vm-modules:
  // compiled, it is a require() (wherever npm nests the package).
  transformIgnorePatterns: [
    '^(?!.*/node_modules/(jose|@opentelemetry/otlp-exporter-base)/).*/node_modules/',
  ],
  setupFilesAfterEnv: ['<rootDir>/test/setup/failOnConsole.ts'],
  clearMocks: true,
  testTimeout: 30000,
};
