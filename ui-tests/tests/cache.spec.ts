/**
 * The step cache in the editor: *Run changed steps* twice, the second run's
 * steps shown COMPUTED with the "cached" mark and the run they came from,
 * live and in the run's read-only view; *Clear step cache*.
 */

import { expect, test } from '@jupyterlab/galata';

import {
  clickToolbar,
  copyExample,
  execute,
  MAKE,
  openPipeline,
  pipelineRuns,
  REAL_SESSIONS,
  readFile,
  removeExample,
  stepNode,
  stepState
} from './helpers';

test.use(REAL_SESSIONS);

const TITLES = ['Make data', 'Transform', 'Report'];

test.describe('Step cache', () => {
  test.afterEach(async ({ page, tmpPath }) => {
    await removeExample(page, tmpPath);
  });

  test('a second run of changed steps shows every step cached', async ({ page, tmpPath, request, baseURL }) => {
    const folder = await copyExample(page, tmpPath);
    const editor = await openPipeline(page, folder);
    const runStatus = editor.locator('.jp-OrchestRunStatus');
    await clickToolbar(editor, 'orchest-jlab:run-changed');
    await expect(runStatus).toHaveAttribute('data-status', 'SUCCESS', { timeout: 90000 });
    await expect(editor.locator('.jp-OrchestStep-cached')).toHaveCount(0);
    const runs = () => pipelineRuns(request, baseURL!, `${folder}/quickstart.orchest`);
    const first = (await runs())[0];

    await clickToolbar(editor, 'orchest-jlab:run-changed');
    await expect.poll(async () => (await runs()).length, { timeout: 30000 }).toBe(2);
    for (const title of TITLES) {
      await expect(stepState(editor, title)).toHaveAttribute('data-state', 'COMPUTED', { timeout: 90000 });
      const mark = stepNode(editor, title).locator('.jp-OrchestStep-cached');
      await expect(mark).toHaveText(/cached/);
      await expect(mark).toHaveAttribute('data-cached-from', first.uuid);
    }
    await expect(stepNode(editor, 'Report').locator('.jp-OrchestStep')).toHaveClass(/jp-mod-cached/);
    await stepNode(editor, 'Transform').click();
    await expect(editor.locator('.jp-OrchestProps-cached')).toContainText(first.uuid);

    // In the run's read-only view too.
    const second = (await runs())[0];
    await execute(page, 'orchest-jlab:open-run', { runUuid: second.uuid });
    const view = page.locator('#jp-main-dock-panel .jp-OrchestRunView:visible');
    await expect(stepNode(view, 'Transform').locator('.jp-OrchestStep-cached')).toHaveAttribute(
      'data-cached-from',
      first.uuid
    );

    // Clear step cache from the canvas's context menu: the next run of changed steps runs them all.
    await page.locator('#jp-main-dock-panel .lm-TabBar-tab', { hasText: 'quickstart.orchest' }).first().click();
    await editor.locator('.react-flow__pane').click({ button: 'right', position: { x: 5, y: 5 } });
    await page.locator('.lm-Menu-item', { hasText: 'Clear Step Cache' }).click();
    await expect(editor.locator('.jp-OrchestEditor-message')).toContainText(
      '3 cache entries removed'
    );
    await clickToolbar(editor, 'orchest-jlab:run-changed');
    await expect.poll(async () => (await runs()).length, { timeout: 30000 }).toBe(3);
    await expect(runStatus).toHaveAttribute('data-status', 'SUCCESS', { timeout: 90000 });
    await expect(editor.locator('.jp-OrchestStep-cached')).toHaveCount(0);
  });

  // The step's opt-out, the files it reads and the pipeline's setting, saved in the file.
  test('saves the cache settings in the file', async ({ page, tmpPath, request, baseURL }) => {
    const folder = await copyExample(page, tmpPath);
    const editor = await openPipeline(page, folder);
    const props = editor.locator('.jp-OrchestProps');
    const saved = async () => {
      await execute(page, 'docmanager:save');
      return JSON.parse(await readFile(request, baseURL!, `${folder}/quickstart.orchest`));
    };
    // A click, then the state: the panel shows the model's value once it re-rendered (a frame later),
    // which Playwright's check()/uncheck() do not wait for.
    const pipelineCache = props.locator('input[name="orchest_jlab.cache"]');
    await pipelineCache.click();
    await expect(pipelineCache).toBeChecked();
    expect((await saved()).settings.orchest_jlab).toEqual({ cache: true });

    await stepNode(editor, 'Make data').click();
    const reads = props.locator('input[name="orchest_jlab.cache.reads"]');
    await reads.fill('data/*.csv, extra.txt');
    await reads.press('Enter');
    expect((await saved()).steps[MAKE].orchest_jlab).toEqual({ cache: { reads: ['data/*.csv', 'extra.txt'] } });
    const stepCache = props.locator('input[name="orchest_jlab.cache"]');
    await stepCache.click();
    await expect(stepCache).not.toBeChecked();
    await expect(reads).toBeDisabled();
    expect((await saved()).steps[MAKE].orchest_jlab).toEqual({ cache: false });
  });
});
