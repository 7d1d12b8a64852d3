/**
 * Jest configuration of the orchest-jlab frontend unit tests (`jlpm test`).
 *
 * The tests cover the pure parts of the frontend (src/model/ and other
 * modules without JupyterLab imports); they run in Node, compiled by ts-jest.
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/src'],
  testMatch: ['**/__tests__/**/*.spec.ts'],
  transform: {
    '^.+\\.tsx?$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.test.json' }]
  },
  moduleFileExtensions: ['ts', 'tsx', 'js', 'json']
};
