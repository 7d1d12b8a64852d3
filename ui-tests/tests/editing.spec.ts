/**
 * The editor's finer points: its context menus, a missing step file, new
 * pipelines' names, the add-step dialog's file and environment, a partial
 * run next to earlier states, messages beside the run status.
 */
import { expect, test } from '@jupyterlab/galata';
import type { Locator, Page } from '@playwright/test';

import {
  clickToolbar,
  copyExample,
  execute,
  openExample,
  openPipeline,
  readFile,
  REAL_SESSIONS,
  removeExampleAfterEach,
  runAllInEditor,
  runToEnd,
  stepNode,
  stepState,
  waitStill
} from './helpers';

test.use(REAL_SESSIONS);

/** The labels of the context menu's visible items. */
async function menuItems(page: Page): Promise<string[]> {
  const menu = page.locator('.lm-Menu').last();
  await expect(menu).toBeVisible();
  return (await menu.locator('.lm-Menu-item:visible .lm-Menu-itemLabel').allInnerTexts()).map(t => t.trim());
}

/** Whether two elements' boxes overlap. */
async function overlap(a: Locator, b: Locator): Promise<boolean> {
  const p = (await a.boundingBox())!;
  const q = (await b.boundingBox())!;
  return p.x < q.x + q.width && q.x < p.x + p.width && p.y < q.y + q.height && q.y < p.y + p.height;
}

const STEP_ITEMS = ['Run Selected Steps', 'Run Incoming Steps', 'Open Step File', 'Duplicate Steps', 'Copy Steps', 'Delete Selection'];
const PANE_ITEMS = ['Add Step…', 'Paste Steps', 'Run All Steps', 'Auto-Layout', 'Fit Pipeline in View'];

test.describe('Editing details', () => {
  let folder = '';
  test.beforeEach(async ({ page, tmpPath }) => {
    folder = await copyExample(page, tmpPath);
  });
  removeExampleAfterEach();

  test('a step’s context menu has step items only, the canvas its own', async ({ page }) => {
    const editor = await openPipeline(page, folder);
    await stepNode(editor, 'Transform').click({ button: 'right' });
    const onStep = await menuItems(page);
    expect(onStep).toEqual(expect.arrayContaining(STEP_ITEMS));
    for (const item of PANE_ITEMS) {
      expect(onStep).not.toContain(item);
    }
    await page.keyboard.press('Escape');

    const pane = (await editor.locator('.react-flow__pane').boundingBox())!;
    await page.mouse.click(pane.x + pane.width - 20, pane.y + pane.height / 2, { button: 'right' });
    const onPane = await menuItems(page);
    expect(onPane).toEqual(expect.arrayContaining(PANE_ITEMS));
    for (const item of STEP_ITEMS) {
      expect(onPane).not.toContain(item);
    }
    await page.keyboard.press('Escape');
  });

  test('Open on a step whose file is missing creates it, then opens it', async ({ page, request, baseURL }) => {
    await page.contents.deleteFile(`${folder}/report.py`);
    const editor = await openPipeline(page, folder);
    await stepNode(editor, 'Report').click({ button: 'right' });
    await page.locator('.lm-Menu-item', { hasText: 'Open Step File' }).click();
    const dialog = page.locator('.jp-Dialog');
    await expect(dialog).toContainText('does not exist');
    await expect(dialog).toContainText('an empty script');
    await dialog.locator('.jp-mod-accept', { hasText: 'Create' }).click();
    await expect(page.locator('#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current')).toContainText('report.py');
    await expect(page.locator('#jp-main-dock-panel .jp-FileEditor:visible')).toBeVisible();
    expect(await readFile(request, baseURL!, `${folder}/report.py`)).toBe('import orchest\n');
  });

  test('the add-step dialog chooses a file in the project and an environment', async ({
    page,
    request,
    baseURL
  }) => {
    await page.contents.uploadContent('print("extra")\n', 'text', `${folder}/sub/extra.py`);
    const project = encodeURIComponent(`${folder}/quickstart.orchest`);
    const created = await request.post(`${baseURL}/orchest/api/environments?project=${project}`, {
      data: { name: 'Second env' }
    });
    expect(created.status()).toBe(201);
    const other = (await created.json()).uuid;
    try {
      const editor = await openPipeline(page, folder);
      await clickToolbar(editor, 'orchest-jlab:add-step');
      const dialog = page.locator('.jp-Dialog');
      await dialog.locator('input[name="title"]').fill('Extra');
      await dialog.locator('button', { hasText: 'Choose File…' }).click();
      // JupyterLab's file dialog, in the pipeline's folder.
      const picker = page.locator('.jp-Dialog .jp-Open-Dialog');
      await picker.locator('.jp-DirListing-item', { hasText: 'sub' }).dblclick();
      await picker.locator('.jp-DirListing-item', { hasText: 'extra.py' }).click();
      await page.locator('.jp-Dialog .jp-mod-accept', { hasText: 'Select' }).click();
      await expect(dialog.locator('input[name="file_path"]')).toHaveValue('sub/extra.py');
      await expect(dialog.locator('input[name="title"]')).toHaveValue('Extra');
      await dialog.locator('select[name="environment"]').selectOption({ label: 'Second env' });
      await dialog.locator('.jp-mod-accept', { hasText: 'Add' }).click();
      await expect(stepNode(editor, 'Extra')).toContainText('extra.py');
      await execute(page, 'docmanager:save');
      await expect(page.locator('#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current')).not.toHaveClass(/jp-mod-dirty/);
      const saved = JSON.parse(await readFile(request, baseURL!, `${folder}/quickstart.orchest`));
      const step = (Object.values(saved.steps) as any[]).find(s => s.title === 'Extra');
      expect(step.file_path).toBe('sub/extra.py');
      expect(step.environment).toBe(other);
      // The file was there: unchanged.
      expect(await readFile(request, baseURL!, `${folder}/sub/extra.py`)).toBe('print("extra")\n');
    } finally {
      // The examples project's environments are every test's: this one goes once no pipeline
      // (and no session of one) uses it any more.
      await page.contents.deleteFile(`${folder}/quickstart.orchest`);
      // (Asked of a pipeline of the same project: the examples' own.)
      const url = `${baseURL}/orchest/api/environments/${other}?project=${encodeURIComponent('examples/quickstart.orchest')}`;
      await expect.poll(async () => (await request.delete(url)).status(), { timeout: 30000 }).toBe(204);
    }
  });

  test('a partial run keeps the other steps’ last states; messages never cover the run status', async ({ page }) => {
    const editor = await openPipeline(page, folder);
    await runAllInEditor(editor);
    await stepNode(editor, 'Report').click({ button: 'right' });
    await page.locator('.lm-Menu-item', { hasText: 'Run Selected Steps' }).click();
    await expect(editor.locator('.jp-OrchestRunStatus')).toContainText('of 1 steps completed', { timeout: 30000 });
    // While and after only Report runs, the others keep their last state.
    await expect(stepState(editor, 'Make data')).toHaveAttribute('data-state', 'COMPUTED');
    await expect(stepState(editor, 'Transform')).toHaveAttribute('data-state', 'COMPUTED');
    await expect(editor.locator('.jp-OrchestRunStatus')).toHaveAttribute('data-status', 'SUCCESS', { timeout: 90000 });
    await expect(stepState(editor, 'Report')).toHaveAttribute('data-state', 'COMPUTED');

    // A message shows below the run status, not over it.
    await editor.locator('.react-flow__pane').click({ position: { x: 5, y: 200 } });
    await execute(page, 'orchest-jlab:run-selected');
    const message = editor.locator('.jp-OrchestEditor-message');
    await expect(message).toContainText('Select the steps to run first');
    expect(await overlap(message, editor.locator('.jp-OrchestRunStatus'))).toBe(false);

    // After a reload, the earlier run's states are read again.
    await page.reload({ waitForIsReady: false });
    await page.locator('#jupyterlab-splash').waitFor({ state: 'detached' });
    const again = page.locator('#jp-main-dock-panel .jp-OrchestEditorWidget:visible');
    await expect(stepState(again, 'Report')).toHaveAttribute('data-state', 'COMPUTED', { timeout: 30000 });
    await expect(stepState(again, 'Make data')).toHaveAttribute('data-state', 'COMPUTED');
    await expect(stepState(again, 'Transform')).toHaveAttribute('data-state', 'COMPUTED');
  });
});

test.describe('Views', () => {
  removeExampleAfterEach();

  test('a panel docked below the editor leaves every step in view', async ({ page, tmpPath }) => {
    const { folder, editor } = await openExample(page, tmpPath);
    await waitStill(stepNode(editor, 'Report'));
    await execute(page, 'docmanager:open', { path: `${folder}/report.py`, options: { mode: 'split-bottom' } });
    await expect(page.locator('#jp-main-dock-panel .jp-FileEditor:visible')).toBeVisible();
    const canvas = editor.locator('.jp-OrchestEditor-canvas');
    await expect
      .poll(
        async () => {
          const box = (await canvas.boundingBox())!;
          for (const node of await editor.locator('.react-flow__node').all()) {
            const n = (await node.boundingBox())!;
            if (n.y < box.y || n.y + n.height > box.y + box.height || n.x < box.x || n.x + n.width > box.x + box.width) {
              return false;
            }
          }
          return true;
        },
        { timeout: 10000 }
      )
      .toBe(true);
  });

  test('Close All Tabs with run views open throws nothing', async ({ page, tmpPath, request, baseURL }) => {
    const folder = await copyExample(page, tmpPath);
    const run = await runToEnd(request, baseURL!, { pipeline: `${folder}/quickstart.orchest`, interactive: false });
    const errors: string[] = [];
    page.on('pageerror', error => errors.push(error.stack ?? error.message));
    page.on('console', message => {
      if (message.type() === 'error') {
        errors.push(message.text());
      }
    });
    await openPipeline(page, folder);
    await execute(page, 'orchest-jlab:open-run', { runUuid: run.uuid });
    const view = page.locator('#jp-main-dock-panel .jp-OrchestRunView:visible');
    await expect(stepState(view, 'Report')).toHaveAttribute('data-state', 'COMPUTED');
    // Its log panel, and an executed notebook of it, open too.
    await stepNode(view, 'Report').click();
    await execute(page, 'orchest-jlab:toggle-log');
    await expect(view.locator('.jp-OrchestLog')).toBeVisible();
    await stepNode(view, 'Transform').dblclick();
    await expect(page.locator('#jp-main-dock-panel .lm-TabBar-tab', { hasText: 'transform.ipynb' })).toHaveCount(1);
    await execute(page, 'orchest-jlab:open-run', { runUuid: run.uuid });
    await execute(page, 'application:close-all');
    await expect(page.locator('#jp-main-dock-panel .jp-OrchestEditorWidget')).toHaveCount(0);
    await page.waitForTimeout(1000);
    expect(errors).toEqual([]);
  });
});

test.describe('New pipelines', () => {
  removeExampleAfterEach();

  test('ask for a name; an empty one says it has no steps when run', async ({ page, tmpPath, request, baseURL }) => {
    await page.contents.createDirectory(`${tmpPath}/project`);
    await page.filebrowser.openDirectory(tmpPath);
    const create = async (name: string): Promise<void> => {
      await page.locator('.jp-DirListing-item', { hasText: 'project' }).click({ button: 'right' });
      await page.locator('.lm-Menu-item', { hasText: 'New Pipeline' }).click();
      const dialog = page.locator('.jp-Dialog');
      await expect(dialog).toContainText('New Pipeline');
      await dialog.locator('input').fill(name);
      await dialog.locator('.jp-mod-accept', { hasText: 'Create' }).click();
    };
    await create('Weather');
    const editor = page.locator('#jp-main-dock-panel .jp-OrchestEditorWidget:visible');
    await expect(editor.locator('.jp-OrchestEditor-empty')).toBeVisible();
    await expect(page.locator('#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current')).toContainText('Weather.orchest');
    const saved = JSON.parse(await readFile(request, baseURL!, `${tmpPath}/project/Weather.orchest`));
    expect(saved.name).toBe('Weather');
    expect(saved.steps).toEqual({});

    await execute(page, 'orchest-jlab:run-all');
    const message = editor.locator('.jp-OrchestEditor-message');
    await expect(message).toContainText('This pipeline has no steps yet');
    expect(await overlap(message, editor.locator('.jp-OrchestEditor-empty'))).toBe(false);

    // The same name again: refused, saying why; the file is unchanged.
    await create('Weather');
    const error = page.locator('.jp-Dialog');
    await expect(error).toContainText('The pipeline was not created');
    await expect(error).toContainText(`${tmpPath}/project/Weather.orchest already exists`);
    await error.locator('button', { hasText: 'Close' }).click();
    expect(JSON.parse(await readFile(request, baseURL!, `${tmpPath}/project/Weather.orchest`)).uuid).toBe(saved.uuid);
  });
});
