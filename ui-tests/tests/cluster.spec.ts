/**
 * The sidebar's Cluster section (docs/dask.md), on a second Jupyter server
 * whose backend is dask: a real scheduler and two workers on loopback, started
 * for this file by ../cluster_server.py (the suite's own server keeps its
 * backend).
 */
import { expect, test } from '@jupyterlab/galata';
import { ChildProcess, spawn } from 'child_process';
import * as path from 'path';

import { copyExample, REAL_SESSIONS, removeExample, runToEnd, stepNode } from './helpers';

const PORT = Number(process.env.ORCHEST_UI_CLUSTER_PORT || Number(process.env.ORCHEST_UI_PORT || 8888) + 1000);
const BASE = `http://localhost:${PORT}`;
let server: ChildProcess | undefined;

// Galata's mock of JupyterLab's sessions would catch orchest's sessions API.
test.use({ ...REAL_SESSIONS, baseURL: BASE });

test.beforeAll(async ({}, testInfo) => {
  testInfo.setTimeout(180000);
  const started = spawn('python3', [path.join(__dirname, '..', 'cluster_server.py'), String(PORT)], {
    stdio: ['ignore', 'inherit', 'inherit']
  });
  server = started;
  let exited: number | null = null;
  started.on('exit', code => (exited = code ?? -1));
  const deadline = Date.now() + 170000;
  for (;;) {
    if (exited !== null) {
      throw new Error(`cluster_server.py exited with ${exited} before its Jupyter server answered`);
    }
    try {
      if ((await fetch(`${BASE}/lab`)).ok) {
        return;
      }
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      throw new Error(`the dask-backend Jupyter server did not answer at ${BASE}`);
    }
    await new Promise(resolve => setTimeout(resolve, 500));
  }
});

test.afterAll(async () => {
  const started = server;
  if (started && started.exitCode === null) {
    const exited = new Promise(resolve => started.once('exit', resolve));
    started.kill('SIGTERM');
    await Promise.race([exited, new Promise(resolve => setTimeout(resolve, 40000))]);
  }
});

test('the cluster section shows the workers and a dashboard link that answers through the Jupyter server', async ({
  page
}) => {
  await page.sidebar.openTab('orchest-jlab-sidebar');
  const section = page.locator('#orchest-jlab-sidebar-cluster');
  await expect(section.locator('.jp-OrchestCluster-scheduler')).toContainText('dask backend, scheduler tcp://127.0.0.1:');
  const workers = section.locator('.jp-OrchestClusterWorker');
  await expect(workers).toHaveCount(2);
  await expect(workers.filter({ hasText: 'worker-0' })).toContainText('GPU=1');
  await expect(workers.filter({ hasText: 'worker-1' })).toContainText('2 threads');
  await expect(workers.first()).toContainText('0 steps now');

  const link = section.locator('a.jp-OrchestCluster-dashboard');
  const href = await link.getAttribute('href');
  expect(href).toMatch(/\/orchest\/cluster-dashboard\/status$/);
  // The scheduler's HTTP routes through the Jupyter server, with the page's
  // credentials (the dashboard's own pages need bokeh on the scheduler).
  const health = await page.request.get(new URL(href!.replace(/status$/, 'health'), BASE).toString());
  expect(health.status()).toBe(200);
  expect(await health.text()).toBe('ok');
});

test("a past run's view shows each step's worker and where on it the step ran", async ({ page, tmpPath, baseURL }) => {
  test.setTimeout(240000);
  const folder = await copyExample(page, tmpPath);
  try {
    const run = await runToEnd(page.request, baseURL!, { pipeline: `${folder}/quickstart.orchest`, interactive: false });
    expect(run.status).toBe('SUCCESS');
    // These workers see no Docker engine (tests/dask_helpers.py): on their host.
    for (const step of Object.values<any>(run.steps)) {
      expect(step.worker).toMatch(/^tcp:\/\/127\.0\.0\.1:/);
      expect(step.runtime).toBe('host');
    }
    await page.filebrowser.openDirectory(folder);
    await page.locator('.jp-DirListing-item[data-file-type="orchest-pipeline"]', { hasText: 'quickstart.orchest' }).dblclick();
    await page.sidebar.openTab('orchest-jlab-sidebar');
    const runs = page.locator('#orchest-jlab-sidebar .jp-OrchestSidebar-runs li');
    await expect(runs).toHaveCount(1);
    await runs.first().click();
    const view = page.locator('#jp-main-dock-panel .jp-OrchestRunView:visible');
    await expect(view).toHaveCount(1);
    await stepNode(view, 'Report').click();
    await view.locator('.jp-Toolbar .jp-ToolbarButtonComponent', { hasText: 'Properties' }).click();
    const report = Object.values<any>(run.steps).find(step => step.title === 'Report');
    await expect(view.locator('.jp-OrchestProps-worker')).toContainText(`Worker: ${report.worker}`);
    await expect(view.locator('.jp-OrchestProps-runtime')).toHaveAttribute('data-runtime', 'host');
    await expect(view.locator('.jp-OrchestProps-runtime')).toContainText("On the worker's host");
  } finally {
    await removeExample(page, tmpPath);
  }
});
