/**
 * The editor after a run, in the light and the dark theme, with validation
 * problems; the Orchest sidebar and JupyterLab's Running panel with a
 * session, in both themes. `UPDATE_SCREENSHOTS=1 ui-tests/run.sh
 * tests/screenshots.spec.ts` refreshes docs/screenshots/ (docs/editor.md
 * shows them).
 */
import { expect, test } from '@jupyterlab/galata';
import * as path from 'path';

import {
  apiURL,
  clickToolbar,
  copyExample,
  execute,
  openExample,
  openPipeline,
  REAL_SESSIONS,
  removeExampleAfterEach,
  runToEnd,
  sessionStatus,
  stepNode,
  stepState
} from './helpers';

// Galata's mock of JupyterLab's sessions would catch orchest's sessions API.
test.use(REAL_SESSIONS);

// Written to docs/screenshots/ only when asked (UPDATE_SCREENSHOTS=1), so
// that a test run leaves the working tree as it was.
const SCREENSHOTS = process.env.UPDATE_SCREENSHOTS
  ? path.resolve(__dirname, '..', '..', 'docs', 'screenshots')
  : path.resolve(__dirname, '..', 'test-results', 'screenshots');

test.describe('Pipeline editor themes', () => {
  removeExampleAfterEach();

  test('after a run, in the light and the dark theme', async ({ page, tmpPath }) => {
    const { folder, editor } = await openExample(page, tmpPath);
    await clickToolbar(editor, 'orchest-jlab:run-all');
    for (const title of ['Make data', 'Transform', 'Report']) {
      await expect(stepState(editor, title)).toHaveAttribute('data-state', 'COMPUTED', { timeout: 90000 });
    }
    await stepNode(editor, 'Report').click();
    await clickToolbar(editor, 'orchest-jlab:toggle-log');
    await expect(editor.locator('.jp-OrchestLog-text')).toContainText('hottest days');
    await expect(sessionStatus(editor)).toHaveAttribute('data-status', 'RUNNING');
    // The file browser's listing changes with run outputs: collapse it.
    await page.sidebar.close('left');
    await page.mouse.move(0, 0);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'editor-light.png') });
    const lightBackground = await stepNode(editor, 'Report')
      .locator('.jp-OrchestStep')
      .evaluate(el => getComputedStyle(el).backgroundColor);

    await page.theme.setDarkTheme();
    await expect(page.locator('body')).toHaveAttribute('data-jp-theme-light', 'false');
    const node = stepNode(editor, 'Report').locator('.jp-OrchestStep');
    // The editor follows the theme (JupyterLab's CSS variables only).
    await expect
      .poll(() => node.evaluate(el => getComputedStyle(el).backgroundColor))
      .not.toBe(lightBackground);
    const expected = await page.evaluate(() =>
      getComputedStyle(document.body).getPropertyValue('--jp-layout-color1').trim()
    );
    const probe = await page.evaluate(color => {
      const el = document.createElement('div');
      el.style.backgroundColor = color;
      document.body.appendChild(el);
      const value = getComputedStyle(el).backgroundColor;
      el.remove();
      return value;
    }, expected);
    expect(await node.evaluate(el => getComputedStyle(el).backgroundColor)).toBe(probe);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'editor-dark.png') });
    await page.theme.setLightTheme();

    // The run, read-only.
    const runUuid = await editor.evaluate(() => {
      const widget = (window as any).jupyterapp.shell.currentWidget;
      return widget.controller.runs.run.uuid as string;
    });
    await execute(page, 'orchest-jlab:open-run', { runUuid });
    const view = page.locator('#jp-main-dock-panel .jp-OrchestRunView:visible');
    await expect(stepState(view, 'Report')).toHaveAttribute('data-state', 'COMPUTED');
    await stepNode(view, 'Report').click();
    await clickToolbar(view, 'orchest-jlab:toggle-log');
    await expect(view.locator('.jp-OrchestLog-text')).toContainText('hottest days');
    await page.mouse.move(0, 0);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'run-view.png') });
    await page.theme.setDarkTheme();
    await expect(page.locator('body')).toHaveAttribute('data-jp-theme-light', 'false');
    await page.mouse.move(0, 0);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'run-view-dark.png') });
    await page.theme.setLightTheme();
  });

  test('a refused connection and validation problems', async ({ page, tmpPath }) => {
    const folder = await copyExample(page, tmpPath);
    // A step whose file is missing: the server's validation flags it.
    await page.contents.deleteFile(`${folder}/report.py`);
    const editor = await openPipeline(page, folder);
    await expect(stepNode(editor, 'Report').locator('.jp-OrchestStep-problems')).toContainText('1 error');
    await expect(stepNode(editor, 'Report').locator('.jp-OrchestStep')).toHaveClass(/jp-mod-error/);
    await editor.locator('.jp-OrchestProblems-summary').click();
    await expect(editor.locator('.jp-OrchestProblems-list')).toContainText('report.py');
    await page.sidebar.close('left');
    await page.mouse.move(0, 0);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'editor-problems.png') });
  });

  const SIDEBAR_TEST = 'the sidebar and the Running panel, in the light and the dark theme';
  test(SIDEBAR_TEST, async ({ page, tmpPath, request, baseURL }) => {
    const folder = await copyExample(page, tmpPath);
    const pipeline = `${folder}/quickstart.orchest`;
    // A snapshot run and a job, then an interactive run from the editor.
    await runToEnd(request, baseURL!, { pipeline, interactive: false });
    const job = await request.post(apiURL(baseURL!, 'jobs'), { data: { pipeline, name: 'nightly' } });
    expect(job.status(), await job.text()).toBe(201);
    const editor = await openPipeline(page, folder);
    await clickToolbar(editor, 'orchest-jlab:run-all');
    await expect(stepState(editor, 'Report')).toHaveAttribute('data-state', 'COMPUTED', { timeout: 90000 });
    await expect(sessionStatus(editor)).toHaveAttribute('data-status', 'RUNNING');

    await page.sidebar.openTab('orchest-jlab-sidebar');
    const sidebar = page.locator('#orchest-jlab-sidebar');
    await expect(sidebar.locator('.jp-OrchestSidebar-runs li')).toHaveCount(2);
    await expect(sidebar.locator(`.jp-OrchestPipelineItem[data-path="${pipeline}"] .jp-OrchestPipelineSession`)).toHaveAttribute(
      'data-status',
      'RUNNING'
    );
    await page.mouse.move(0, 0);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'sidebar-light.png') });
    await page.theme.setDarkTheme();
    await page.mouse.move(0, 0);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'sidebar-dark.png') });

    await page.sidebar.openTab('jp-running-sessions');
    await expect(page.locator('#jp-running-sessions .jp-OrchestRunningSession')).toHaveCount(1);
    await page.mouse.move(0, 0);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'running-sessions-dark.png') });
    await page.theme.setLightTheme();
    await page.mouse.move(0, 0);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'running-sessions-light.png') });
  });
});
