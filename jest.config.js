/**
 * Jest configuration of the orchest-jlab frontend unit tests (`jlpm test`).
 *
 * The tests cover the logic of the frontend that needs no browser: the
 * pipeline model (src/model/), the run tracker, and the REST and websocket
 * clients against a fake fetch and WebSocket. They run in Node, compiled by
 * ts-jest with tsconfig.test.json.
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
