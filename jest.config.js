/** @type {import('jest').Config} */
module.exports = {
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
