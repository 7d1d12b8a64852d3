/**
 * Playwright configuration of the orchest-jlab UI tests.
 *
 * Based on Galata's default configuration. The browser is Debian's Chromium
 * (/usr/bin/chromium, overridable with CHROMIUM_PATH): Playwright never
 * downloads one.
 */
const baseConfig = require('@jupyterlab/galata/lib/playwright-config');

// The test server's port: 8888 unless ORCHEST_UI_PORT says otherwise (to run
// beside another JupyterLab on the same machine).
const port = Number(process.env.ORCHEST_UI_PORT || 8888);

const chromiumArgs = [
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-gpu',
  '--disable-quic'
];
// Chromium refuses to start its sandbox as root.
if (typeof process.getuid === 'function' && process.getuid() === 0) {
  chromiumArgs.unshift('--no-sandbox');
}

module.exports = {
  ...baseConfig,
  testDir: './tests',
  // The editor benchmark runs under `make bench` (benchmarks/bench_editor.py), not in the test suite.
  testIgnore: process.env.ORCHEST_BENCH ? [] : ['**/benchmark.spec.ts'],
  // The CI machine has 2 cores, and all tests share one Jupyter server.
  workers: 1,
  fullyParallel: false,
  // No retries, in CI either: a flaky test gets fixed, not retried.
  retries: 0,
  timeout: 120 * 1000,
  expect: { timeout: 15 * 1000 },
  forbidOnly: !!process.env.CI,
  reporter: [['list'], ['html', { open: 'never' }]],
  use: {
    ...baseConfig.use,
    baseURL: `http://localhost:${port}`,
    browserName: 'chromium',
    headless: true,
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
      args: chromiumArgs
    },
    // Room for the editor's toolbar and panels (and the screenshots in docs/).
    viewport: { width: 1440, height: 900 },
    actionTimeout: 30 * 1000,
    navigationTimeout: 60 * 1000,
    // No ffmpeg can be downloaded here: never record videos.
    video: 'off',
    trace: 'retain-on-failure'
  },
  webServer: {
    command: `jlpm start --ServerApp.port=${port} --ServerApp.port_retries=0`,
    url: `http://localhost:${port}/lab`,
    timeout: 180 * 1000,
    reuseExistingServer: !process.env.CI,
    // Let the server stop cleanly (and remove its temporary root directory).
    gracefulShutdown: { signal: 'SIGTERM', timeout: 10 * 1000 },
    // The Jupyter server logs to stderr: shown with the test output.
    stderr: 'pipe'
  }
};
