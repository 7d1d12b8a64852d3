/**
 * The Orchest sidebar: one section per plugin that adds one (through the
 * IOrchestSidebar token), in the order of their ranks.
 */
import { expect, test } from '@jupyterlab/galata';
import type { Locator } from '@playwright/test';
import * as crypto from 'crypto';

import {
  apiURL,
  copyExample,
  openPipeline,
  REAL_SESSIONS,
  removeExampleAfterEach,
  runToEnd,
  sessionStatus,
  stepNode
} from './helpers';

// Galata's mock of JupyterLab's sessions would catch orchest's sessions API
// (the pipelines list reads the sessions).
test.use(REAL_SESSIONS);

test.describe('Orchest sidebar', () => {
  test('shows the sections the plugins add, by rank', async ({ page }) => {
    await page.sidebar.openTab('orchest-jlab-sidebar');
    const sections = page.locator('#orchest-jlab-sidebar > [role="region"]');
    await expect(sections).toHaveCount(6);
    const titles = await sections.evaluateAll(nodes => nodes.map(node => node.getAttribute('aria-label')));
    expect(titles).toEqual([
      'Pipelines',
      'Jobs',
      'Runs',
      'Environments',
      'Project environment variables',
      'Notifications'
    ]);
    await expect(page.locator('#orchest-jlab-sidebar-runs')).toContainText('Open a pipeline to see its runs.');
  });
});

test.describe('Orchest sidebar: pipelines, sessions, runs and tabs', () => {
  test.setTimeout(480000);
  removeExampleAfterEach();

  const SESSION_TEST = 'a session is started and stopped from the pipelines list, and shut down from the Running panel';
  test(SESSION_TEST, async ({ page, tmpPath, request, baseURL }) => {
    const pipeline = `${await copyExample(page, tmpPath)}/quickstart.orchest`;
    await page.sidebar.openTab('orchest-jlab-sidebar');
    const item = page.locator(`#orchest-jlab-sidebar .jp-OrchestPipelineItem[data-path="${pipeline}"]`);
    const session = item.locator('.jp-OrchestPipelineSession');
    const sessionOnServer = async (): Promise<string> =>
      (await (await request.get(apiURL(baseURL!, `sessions/${pipeline}`))).json()).status;

    await expect(session).toHaveAttribute('data-status', 'STOPPED');
    await session.locator('[data-action="start-session"]').click();
    // The first session may build its environment's image first.
    await expect(session).toHaveAttribute('data-status', 'RUNNING', { timeout: 300000 });
    expect(await sessionOnServer()).toBe('RUNNING');
    // No editor was opened by starting it.
    await expect(page.locator('#jp-main-dock-panel .jp-OrchestEditorWidget')).toHaveCount(0);

    await session.locator('[data-action="stop-session"]').click();
    await expect(session).toHaveAttribute('data-status', 'STOPPED', { timeout: 30000 });
    expect(await sessionOnServer()).toBe('STOPPED');

    await session.locator('[data-action="start-session"]').click();
    await expect(session).toHaveAttribute('data-status', 'RUNNING', { timeout: 90000 });

    // JupyterLab's Running panel lists it beside the kernels; a click opens the pipeline.
    await page.sidebar.openTab('jp-running-sessions');
    const running = page.locator('#jp-running-sessions .jp-OrchestRunningSession', { hasText: 'quickstart.orchest' });
    await expect(running).toHaveCount(1);
    await expect(running.locator('.jp-RunningSessions-itemLabel')).toHaveAttribute('title', new RegExp(pipeline));
    await running.locator('.jp-RunningSessions-itemLabel').click();
    const editor = page.locator('#jp-main-dock-panel .jp-OrchestEditorWidget:visible');
    await expect(editor.locator('.react-flow__node')).toHaveCount(3);
    await expect(sessionStatus(editor)).toHaveAttribute('data-status', 'RUNNING');

    await running.locator('.jp-RunningSessions-itemShutdown').click();
    await expect(running).toHaveCount(0, { timeout: 30000 });
    expect(await sessionOnServer()).toBe('STOPPED');
    // Every view of the session says so.
    await expect(sessionStatus(editor)).toHaveAttribute('data-status', 'STOPPED');
    await expect(session).toHaveAttribute('data-status', 'STOPPED');
  });

  test('pipelines of the same name show their folders', async ({ page, tmpPath }) => {
    const folder = await copyExample(page, tmpPath);
    const untitled = (uuid: string): string =>
      JSON.stringify({ name: 'untitled', uuid, version: '1.0.0', settings: {}, parameters: {}, steps: {} }, null, 4) + '\n';
    await page.contents.uploadContent(untitled(crypto.randomUUID()), 'text', `${folder}/one/untitled.orchest`);
    await page.contents.uploadContent(untitled(crypto.randomUUID()), 'text', `${folder}/two/untitled.orchest`);
    const unique = `Only one ${crypto.randomUUID()}`;
    await page.contents.uploadContent(
      untitled(crypto.randomUUID()).replace('"untitled"', JSON.stringify(unique)),
      'text',
      `${folder}/three/untitled.orchest`
    );
    // The list is read again when the sidebar shows.
    await page.sidebar.openTab('orchest-jlab-sidebar');
    const section = page.locator('#orchest-jlab-sidebar-pipelines');
    for (const sub of ['one', 'two']) {
      const item = section.locator(`.jp-OrchestPipelineItem[data-path="${folder}/${sub}/untitled.orchest"]`);
      await expect(item.locator('.jp-OrchestSidebar-name')).toHaveText('untitled');
      await expect(item.locator('.jp-OrchestPipelineItem-folder')).toHaveText(`${folder}/${sub}`);
      await expect(item.locator('.jp-OrchestPipelineItem-count')).toHaveText('0 steps');
    }
    const alone = section.locator(`.jp-OrchestPipelineItem[data-path="${folder}/three/untitled.orchest"]`);
    await expect(alone.locator('.jp-OrchestSidebar-name')).toHaveText(unique);
    await expect(alone.locator('.jp-OrchestPipelineItem-folder')).toHaveCount(0);
  });

  const RUNS_TEST = 'runs show their number and how long ago they ran, the date in their tooltip; tabs say what they show';
  test(RUNS_TEST, async ({ page, tmpPath, request, baseURL }, testInfo) => {
    const folder = await copyExample(page, tmpPath);
    const pipeline = `${folder}/quickstart.orchest`;
    const run = await runToEnd(request, baseURL!, { pipeline, interactive: false });
    expect(run.status).toBe('SUCCESS');
    expect(run.number).toBe(1); // the pipeline's first run (a fresh copy of the example)
    await openPipeline(page, folder);

    await page.sidebar.openTab('orchest-jlab-sidebar');
    const item = page.locator(`#orchest-jlab-sidebar .jp-OrchestSidebar-runs li[data-run="${run.uuid}"]`);
    await expect(item.locator('.jp-OrchestSidebar-name')).toHaveText('Run 1');
    const time = item.locator('time');
    await expect(time).toHaveText(/ago|now/);
    const full = await page.evaluate(
      iso => new Date(iso).toLocaleString(document.documentElement.lang || undefined, { dateStyle: 'full', timeStyle: 'medium' }),
      run.created as string
    );
    await expect(time).toHaveAttribute('title', full);
    await expect(time).toHaveAttribute('datetime', run.created);
    // It fits: nothing of the row is cut at the sidebar's default width.
    await expect(item.locator('.jp-OrchestRuns-status')).toHaveText('Succeeded');
    await expect(item.locator('.jp-OrchestRuns-kind')).toHaveText(/^(.+ ago|now) · Snapshot · \S+s$/);
    for (const part of await item.locator('.jp-OrchestSidebar-name, .jp-OrchestSidebar-meta').all()) {
      expect(await part.evaluate(el => el.scrollWidth <= el.clientWidth + 1)).toBe(true);
    }

    const current = page.locator('#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current');
    const icon = (name: string): Locator => current.locator(`.lm-TabBar-tabIcon svg[data-icon="orchest-jlab:${name}"]`);
    await expect(icon('pipeline')).toHaveCount(1);

    await item.click();
    await expect(current).toContainText('Run 1 · Weather quickstart');
    await expect(icon('run')).toHaveCount(1);

    const view = page.locator('#jp-main-dock-panel .jp-OrchestRunView:visible');
    await stepNode(view, 'Transform').dblclick();
    await expect(current).toContainText('transform.ipynb (run 1)');
    await expect(icon('executed-notebook')).toHaveCount(1);

    const created = await request.post(apiURL(baseURL!, 'jobs'), { data: { pipeline, name: 'nightly' } });
    expect(created.status(), await created.text()).toBe(201);
    await page.locator('#jp-main-dock-panel .lm-TabBar-tab', { hasText: 'quickstart.orchest' }).click();
    const job = page.locator('#orchest-jlab-sidebar .jp-OrchestJobs-item', { hasText: 'nightly' });
    await expect(job).toBeVisible();
    // The jobs section's title names the pipeline in full at the default width (it wraps, never cut).
    const jobs = page.locator('#orchest-jlab-sidebar .jp-OrchestJobs-section');
    const title = jobs.locator('.jp-OrchestSidebar-header h3');
    await expect(title).toHaveText('Jobs of Weather quickstart');
    expect(await title.evaluate(el => el.scrollWidth <= el.clientWidth + 1)).toBe(true);
    const [titleBox, buttonBox] = [await title.boundingBox(), await jobs.locator('.jp-OrchestJobs-new').boundingBox()];
    expect(titleBox!.x + titleBox!.width).toBeLessThanOrEqual(buttonBox!.x + 1);
    await jobs.locator('.jp-OrchestSidebar-header').screenshot({ path: testInfo.outputPath('jobs-header.png') });
    await job.click();
    await expect(current).toContainText('Job · nightly');
    await expect(icon('job')).toHaveCount(1);
  });

  test('a run in flight is named by its number from its start: in the sidebar and its tab', async ({
    page,
    tmpPath,
    request,
    baseURL
  }) => {
    // Its first step sleeps: the run is still running while the page shows it.
    const folder = await copyExample(page, tmpPath, { 'make_data.py': 'import time\ntime.sleep(300)\n' });
    const pipeline = `${folder}/quickstart.orchest`;
    await openPipeline(page, folder);
    await page.sidebar.openTab('orchest-jlab-sidebar');
    const created = await request.post(apiURL(baseURL!, 'runs'), { data: { pipeline, interactive: false } });
    expect(created.status(), await created.text()).toBe(201);
    const run = await created.json();
    expect(run.number).toBe(1); // in the start's answer: given when the run starts
    try {
      const item = page.locator(`#orchest-jlab-sidebar .jp-OrchestSidebar-runs li[data-run="${run.uuid}"]`);
      await expect(item.locator('.jp-OrchestSidebar-name')).toHaveText('Run 1');
      await item.click();
      const current = page.locator('#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current');
      await expect(current).toContainText('Run 1 · Weather quickstart');
      const live = await (await request.get(apiURL(baseURL!, `runs/${run.uuid}`))).json();
      expect(live.status).toMatch(/PENDING|STARTED/); // all of this while it runs
      expect(live.number).toBe(1);
    } finally {
      await request.delete(apiURL(baseURL!, `runs/${run.uuid}`));
    }
  });
});
