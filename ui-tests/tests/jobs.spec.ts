/**
 * The jobs panel: a grid job made from the sidebar and followed live to its
 * end, a refused cron expression, and a cron job paused, resumed, triggered,
 * cancelled and deleted. `UPDATE_SCREENSHOTS=1 ui-tests/run.sh
 * tests/jobs.spec.ts` refreshes docs/screenshots/jobs-*.png (docs/jobs.md shows them).
 */
import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import type { APIRequestContext, Locator } from '@playwright/test';
import * as path from 'path';

import { copyExample, MAKE, openPipeline, REAL_SESSIONS, removeExample, REPORT, TRANSFORM } from './helpers';

// Galata's mock of JupyterLab's sessions would catch orchest's sessions API.
test.use(REAL_SESSIONS);

const SCREENSHOTS = process.env.UPDATE_SCREENSHOTS
  ? path.resolve(__dirname, '..', '..', 'docs', 'screenshots')
  : path.resolve(__dirname, '..', 'test-results', 'screenshots');

/** The jobs of a pipeline through the REST API. */
async function listJobs(request: APIRequestContext, baseURL: string, pipeline: string): Promise<any[]> {
  const response = await request.get(`${baseURL}/orchest/api/jobs?pipeline=${encodeURIComponent(pipeline)}`);
  expect(response.ok()).toBe(true);
  return (await response.json()).jobs;
}

/** Open the Orchest sidebar's jobs section of the pipeline open in the editor. */
async function jobsSection(page: IJupyterLabPageFixture): Promise<Locator> {
  await page.sidebar.openTab('orchest-jlab-sidebar');
  const section = page.locator('#orchest-jlab-sidebar .jp-OrchestJobs-section');
  await expect(section.locator('h3')).toHaveText(/Jobs of Weather quickstart/i);
  return section;
}

/** Open the new-job form from the jobs section; waits for the pre-filled grid. */
async function newJobForm(page: IJupyterLabPageFixture, section: Locator): Promise<Locator> {
  await section.locator('.jp-OrchestJobs-new').click();
  const form = page.locator('.jp-OrchestJobs-form:visible');
  await expect(form.locator('.jp-OrchestJobs-runCount')).toHaveText('1 run');
  return form;
}

/** Open the pipeline, then a new job's form with a cron schedule. */
async function cronJobForm(
  page: IJupyterLabPageFixture,
  folder: string,
  cron: string
): Promise<{ section: Locator; form: Locator }> {
  await openPipeline(page, folder);
  const section = await jobsSection(page);
  const form = await newJobForm(page, section);
  await form.locator('input[name="schedule-kind"][value="cron"]').check();
  await form.locator('input[name="schedule-cron"]').fill(cron);
  return { section, form };
}

test.describe('Jobs panel', () => {
  let folder = '';
  let pipeline = '';
  test.beforeEach(async ({ page, tmpPath }) => {
    folder = await copyExample(page, tmpPath);
    pipeline = `${folder}/quickstart.orchest`;
  });
  test.afterEach(async ({ page, tmpPath, request, baseURL }) => {
    // Nothing keeps running or scheduled after a test.
    for (const job of await listJobs(request, baseURL!, pipeline).catch(() => [])) {
      await request.delete(`${baseURL}/orchest/api/jobs/${job.uuid}`);
    }
    await removeExample(page, tmpPath);
  });

  test('a 2x3 grid job runs its 6 runs, followed live', async ({ page }) => {
    await openPipeline(page, folder);
    const section = await jobsSection(page);
    await expect(section).toContainText('No jobs yet.');
    const form = await newJobForm(page, section);
    const runCount = form.locator('.jp-OrchestJobs-runCount');

    // The pipeline's parameter, one value per row.
    const unit = form.locator('.jp-OrchestJobs-axis[data-owner="pipeline_parameters"][data-name="unit"]');
    await expect(unit.locator('.jp-OrchestJobs-value')).toHaveValue('celsius');
    await unit.locator('.jp-OrchestJobs-addValue').click();
    // The new value's field has the focus: typing fills it.
    await expect(unit.locator('.jp-OrchestJobs-value').nth(1)).toBeFocused();
    await page.keyboard.type('fahrenheit');
    await expect(unit.locator('.jp-OrchestJobs-value').nth(1)).toHaveValue('fahrenheit');
    await expect(runCount).toHaveText('2 runs');
    // A step's parameter, as a JSON list.
    const days = form.locator(`.jp-OrchestJobs-axis[data-owner="${MAKE}"][data-name="days"]`);
    await days.locator('.jp-OrchestJobs-mode').click();
    await days.locator('textarea').fill('[7, 14, 30]');
    await expect(runCount).toHaveText('6 runs');
    // The server expanded the same grid.
    await expect(form.locator('.jp-OrchestJobs-combinations summary')).toHaveText('6 combinations');

    // A list that is not a list: the server's message next to the parameter.
    await days.locator('textarea').fill('30');
    await expect(days.locator('.jp-OrchestJobs-problem')).toContainText('must be a list of values');
    await expect(runCount).toHaveText('The grid is refused');
    await days.locator('textarea').fill('[7, 14, 30]');
    await expect(runCount).toHaveText('6 runs');
    await expect(days.locator('.jp-OrchestJobs-problem')).toHaveCount(0);

    // An environment variable, masked.
    await form.getByRole('button', { name: 'Add a variable' }).click();
    await form.locator('.jp-OrchestJobs-envName').fill('API_TOKEN');
    await form.locator('.jp-OrchestJobs-envValue').fill('s3cret');
    await expect(form.locator('.jp-OrchestJobs-envValue')).toHaveAttribute('type', 'password');
    await page.screenshot({ path: path.join(SCREENSHOTS, 'jobs-new.png') });

    await form.locator('.jp-OrchestJobs-create').click();
    const view = page.locator('.jp-OrchestJobs-view:visible');
    await expect(view.locator('h2')).toHaveText('Weather quickstart');
    await expect(view.locator('.jp-OrchestJobs-runs tbody tr')).toHaveCount(6);
    await expect(view.locator('.jp-OrchestJobs-runs tbody tr[data-index="5"]')).toContainText(
      'unit="fahrenheit", days=30'
    );
    // Live to the end, in the view and in the sidebar.
    await expect(view).toHaveAttribute('data-status', 'SUCCESS', { timeout: 240000 });
    await expect(view.locator('.jp-OrchestJobs-runs tbody tr[data-status="SUCCESS"]')).toHaveCount(6);
    await expect(view.locator('.jp-OrchestJobs-counts')).toHaveText('6 runs: 6 succeeded');
    const item = section.locator('.jp-OrchestJobs-item');
    await expect(item).toHaveCount(1);
    await expect(item).toHaveAttribute('data-status', 'SUCCESS');
    await expect(item.locator('.jp-OrchestJobs-counts')).toHaveText('6 runs: 6 succeeded');
    await expect(view.locator('.jp-OrchestJobs-settings')).toContainText('API_TOKEN=••••••');
    await expect(view.locator('.jp-OrchestJobs-settings')).not.toContainText('s3cret');
    await page.mouse.move(0, 0);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'jobs-panel.png') });
    await page.theme.setDarkTheme();
    await expect(page.locator('body')).toHaveAttribute('data-jp-theme-light', 'false');
    await page.screenshot({ path: path.join(SCREENSHOTS, 'jobs-panel-dark.png') });
    await page.theme.setLightTheme();

    // A run opens read-only (orchest-jlab:open-run: the run's own pipeline and states).
    await view.locator('.jp-OrchestJobs-runs tbody tr[data-index="0"]').click();
    const editor = page.locator('#jp-main-dock-panel .jp-OrchestRunView:visible');
    await expect(editor).toHaveCount(1);
    await expect(editor.locator('.jp-OrchestStep-state[data-state="COMPUTED"]')).toHaveCount(3);
  });

  test('a job with the step cache: its runs share the steps whose inputs are the same', async ({
    page,
    request,
    baseURL
  }) => {
    await openPipeline(page, folder);
    const section = await jobsSection(page);
    const form = await newJobForm(page, section);
    // Two values of Report's parameter: Make data and Transform are the same in both runs.
    const hottest = form.locator(`.jp-OrchestJobs-axis[data-owner="${REPORT}"][data-name="hottest"]`);
    await hottest.locator('.jp-OrchestJobs-addValue').click();
    await page.keyboard.type('5');
    await expect(form.locator('.jp-OrchestJobs-runCount')).toHaveText('2 runs');
    await form.locator('input[name="cache"]').check();
    await form.locator('.jp-OrchestJobs-create').click();
    const view = page.locator('.jp-OrchestJobs-view:visible');
    await expect(view.locator('.jp-OrchestJobs-cache')).toHaveText(/^On/);
    await expect(view).toHaveAttribute('data-status', 'SUCCESS', { timeout: 240000 });

    const [job] = await listJobs(request, baseURL!, pipeline);
    expect(job.cache).toBe(true);
    const full = await (await request.get(`${baseURL}/orchest/api/jobs/${job.uuid}`)).json();
    const runs = await Promise.all(
      full.runs.map(async (r: any) => (await request.get(`${baseURL}/orchest/api/runs/${r.run_uuid}`)).json())
    );
    const uuids = runs.map((r: any) => r.uuid);
    for (const step of [MAKE, TRANSFORM]) {
      // Ran in one run; the other took its output from that run.
      const sources = runs.map((r: any) => r.steps[step].cached_from);
      expect(sources.filter((s: string | null) => s === null)).toHaveLength(1);
      expect(uuids).toContain(sources.find((s: string | null) => s !== null));
    }
    expect(runs.map((r: any) => r.steps[REPORT].cached_from)).toEqual([null, null]);
  });

  test('an invalid cron expression or a past time is refused, creating nothing; a one-off job waits', async ({
    page,
    request,
    baseURL
  }) => {
    const { section, form } = await cronJobForm(page, folder, 'every day at nine');
    await expect(form.locator('.jp-OrchestJobs-cronDescription')).toContainText('Cannot describe it');
    await form.locator('.jp-OrchestJobs-create').click();
    const dialog = page.locator('.jp-Dialog');
    await expect(dialog).toContainText('is not a valid cron expression');
    await dialog.locator('.jp-mod-accept').click();
    await expect(form.locator('.jp-OrchestJobs-submitError')).toContainText('is not a valid cron expression');
    expect(await listJobs(request, baseURL!, pipeline)).toEqual([]);
    await expect(section).toContainText('No jobs yet.');

    // Once, at a time that has passed: refused too.
    await form.locator('input[name="schedule-kind"][value="once"]').check();
    await form.locator('select[name="schedule-timezone"]').selectOption('UTC');
    await form.locator('input[name="schedule-at"]').fill('2020-01-31T09:00');
    await form.locator('.jp-OrchestJobs-create').click();
    await expect(dialog).toContainText('has passed');
    await dialog.locator('.jp-mod-accept').click();
    expect(await listJobs(request, baseURL!, pipeline)).toEqual([]);

    // Once, in the future: it waits for its time, read in the chosen zone.
    await form.locator('select[name="schedule-timezone"]').selectOption('Europe/Amsterdam');
    await form.locator('input[name="schedule-at"]').fill('2031-01-31T09:00');
    await form.locator('.jp-OrchestJobs-create').click();
    const view = page.locator('.jp-OrchestJobs-view:visible');
    await expect(view).toHaveAttribute('data-status', 'PENDING');
    const [job] = await listJobs(request, baseURL!, pipeline);
    expect(Date.parse(job.next_fire)).toBe(Date.UTC(2031, 0, 31, 8, 0));
    const local = await page.evaluate(iso => new Date(iso).toLocaleString(), job.next_fire as string);
    await expect(view.locator('.jp-OrchestJobs-scheduleText')).toHaveText(`Once, at ${local}`);
    await expect(view.locator('.jp-OrchestJobs-next')).toHaveText(local);
  });

  test('a cron job: its schedule in words, next run, pause, resume, trigger, cancel, delete', async ({
    page,
    request,
    baseURL
  }) => {
    const { section, form } = await cronJobForm(page, folder, '0 9 * * MON-FRI');
    await form.locator('input[name="job-name"]').fill('Weekday report');
    await expect(form.locator('.jp-OrchestJobs-cronDescription')).toHaveText('At 09:00, Monday through Friday');
    await form.locator('select[name="schedule-timezone"]').selectOption('Europe/Amsterdam');
    await form.locator('.jp-OrchestJobs-create').click();

    const view = page.locator('.jp-OrchestJobs-view:visible');
    await expect(view).toHaveAttribute('data-status', 'PENDING');
    await expect(view.locator('.jp-OrchestJobs-scheduleText')).toHaveText(
      'At 09:00, Monday through Friday (0 9 * * MON-FRI, Europe/Amsterdam)'
    );
    const [job] = await listJobs(request, baseURL!, pipeline);
    expect(job.next_fire).toBeTruthy();
    // The server's next fire, in local time.
    const local = await page.evaluate(iso => new Date(iso).toLocaleString(), job.next_fire as string);
    await expect(view.locator('.jp-OrchestJobs-next')).toHaveText(local);
    const item = section.locator('.jp-OrchestJobs-item');
    // The sidebar says it relative to now ("Next run: in 3 days"), the full date in the tooltip.
    await expect(item.locator('.jp-OrchestJobs-next')).toHaveText(/^Next run: in /);
    const full = await page.evaluate(
      iso => new Date(iso).toLocaleString(document.documentElement.lang || undefined, { dateStyle: 'full', timeStyle: 'medium' }),
      job.next_fire as string
    );
    await expect(item.locator('.jp-OrchestJobs-next time')).toHaveAttribute('title', full);

    const action = (name: string): Locator => view.locator(`.jp-OrchestJobs-action[data-action="${name}"]`);
    await action('pause').click();
    await expect(view).toHaveAttribute('data-status', 'PAUSED');
    await expect(view.locator('.jp-OrchestJobs-next')).toHaveText('None');
    await expect(item).toHaveAttribute('data-status', 'PAUSED');
    await expect(item.locator('.jp-OrchestJobs-next')).toHaveCount(0);
    await action('resume').click();
    await expect(view).toHaveAttribute('data-status', 'PENDING');
    await expect(view.locator('.jp-OrchestJobs-next')).toHaveText(local);

    // Triggered by hand: one run now; then cancelled with it.
    await action('trigger').click();
    await expect(view.locator('.jp-OrchestJobs-runs tbody tr')).toHaveCount(1);
    await action('cancel').click();
    await expect(view).toHaveAttribute('data-status', 'ABORTED');
    await expect(item).toHaveAttribute('data-status', 'ABORTED');
    await expect(view.locator('.jp-OrchestJobs-history')).toContainText('Cancelled.');
    // A cancelled job cannot be cancelled again: no such button.
    await expect(action('cancel')).toHaveCount(0);

    await action('delete').click();
    const dialog = page.locator('.jp-Dialog');
    await expect(dialog).toContainText('Delete job "Weekday report"?');
    await dialog.locator('.jp-mod-accept').click();
    await expect(view).toHaveCount(0);
    await expect(section).toContainText('No jobs yet.');
    expect(await listJobs(request, baseURL!, pipeline)).toEqual([]);
  });

  test('a draft: changed with a deselected combination, duplicated, then started', async ({ page }) => {
    await openPipeline(page, folder);
    const section = await jobsSection(page);
    let form = await newJobForm(page, section);
    await form.locator('input[name="job-name"]').fill('Hottest');
    await form.locator('.jp-OrchestJobs-draft').click();
    const view = page.locator('.jp-OrchestJobs-view:visible');
    await expect(view).toHaveAttribute('data-status', 'DRAFT');
    await expect(section.locator('.jp-OrchestJobs-item')).toHaveAttribute('data-status', 'DRAFT');

    await view.locator('.jp-OrchestJobs-action[data-action="edit"]').click();
    form = page.locator('.jp-OrchestJobs-form:visible');
    await expect(form.locator('input[name="job-name"]')).toHaveValue('Hottest');
    const hottest = form.locator(`.jp-OrchestJobs-axis[data-owner="${REPORT}"][data-name="hottest"]`);
    await hottest.locator('.jp-OrchestJobs-addValue').click();
    await hottest.locator('.jp-OrchestJobs-value').nth(1).fill('5');
    await expect(form.locator('.jp-OrchestJobs-runCount')).toHaveText('2 runs');
    await form.locator('.jp-OrchestJobs-combinations summary').click();
    await form.locator('.jp-OrchestJobs-combinations li[data-combination="0"] input').uncheck();
    await expect(form.locator('.jp-OrchestJobs-runCount')).toHaveText('1 run');
    await expect(form.locator('.jp-OrchestJobs-combinations summary')).toHaveText('2 combinations · 1 deselected');
    await form.locator('.jp-OrchestJobs-draft').click();
    await expect(view.locator('.jp-OrchestJobs-settings')).toContainText('2 combinations · 1 deselected · 1 run per fire');

    // The copy is a new draft with the same grid and deselection.
    await view.locator('.jp-OrchestJobs-action[data-action="duplicate"]').click();
    await expect(view.locator('h2')).toHaveText('Hottest (copy)');
    await expect(view).toHaveAttribute('data-status', 'DRAFT');
    await expect(view.locator('.jp-OrchestJobs-settings')).toContainText('1 deselected');
    await expect(section.locator('.jp-OrchestJobs-item')).toHaveCount(2);

    await view.locator('.jp-OrchestJobs-action[data-action="start"]').click();
    await expect(view.locator('.jp-OrchestJobs-runs tbody tr')).toHaveCount(1);
    await expect(view.locator('.jp-OrchestJobs-runs tbody tr')).toContainText('hottest=5');
    await expect(view).toHaveAttribute('data-status', 'SUCCESS', { timeout: 120000 });

    // The list, newest first, opens a job from the keyboard too.
    await section.locator('.jp-OrchestJobs-item').nth(1).press('Enter');
    await expect(view.locator('h2')).toHaveText('Hottest');
    await expect(view).toHaveAttribute('data-status', 'DRAFT');
  });
});
