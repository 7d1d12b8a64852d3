/**
 * Past runs read-only: the run's own pipeline (not the file as it is now),
 * its states and logs, its executed notebooks, an editable copy.
 */
import { expect, test } from '@jupyterlab/galata';

import {
  clickToolbar,
  copyExample,
  execute,
  fileExists,
  openExample,
  readFile,
  REAL_SESSIONS,
  removeExampleAfterEach,
  runToEnd,
  stepNode,
  stepState
} from './helpers';

// Galata's mock of JupyterLab's sessions would catch orchest's sessions API.
test.use(REAL_SESSIONS);

test.describe('Past runs, read-only', () => {
  removeExampleAfterEach();

  test('the sidebar opens a run with its own pipeline and states, nothing editable', async ({
    page,
    tmpPath,
    request,
    baseURL
  }) => {
    const { folder, editor } = await openExample(page, tmpPath);
    await clickToolbar(editor, 'orchest-jlab:run-all');
    await expect(stepState(editor, 'Report')).toHaveAttribute('data-state', 'COMPUTED', { timeout: 90000 });

    // The pipeline changes after the run: "Report" is deleted and saved.
    await stepNode(editor, 'Report').click();
    await page.keyboard.press('Delete');
    await expect(editor.locator('.react-flow__node')).toHaveCount(2);
    await execute(page, 'docmanager:save');
    await expect.poll(async () => (await readFile(request, baseURL!, `${folder}/quickstart.orchest`)).includes('"Report"')).toBe(false);

    await page.sidebar.openTab('orchest-jlab-sidebar');
    const sidebar = page.locator('#orchest-jlab-sidebar');
    const runs = sidebar.locator('.jp-OrchestSidebar-runs li');
    await expect(runs).toHaveCount(1);
    await expect(runs.first()).toHaveAttribute('data-status', 'SUCCESS');
    const runUuid = (await runs.first().getAttribute('data-run'))!;
    await runs.first().click();

    const view = page.locator('#jp-main-dock-panel .jp-OrchestRunView:visible');
    await expect(view).toHaveCount(1);
    await expect(page.locator('#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current')).toContainText(
      'Run 1 · Weather quickstart' // the first run of this copy of the example
    );
    // The run's own pipeline: three steps, with the run's states.
    await expect(view.locator('.react-flow__node')).toHaveCount(3);
    for (const title of ['Make data', 'Transform', 'Report']) {
      await expect(stepState(view, title)).toHaveAttribute('data-state', 'COMPUTED');
    }
    await expect(view.locator('.jp-OrchestEditor-readOnly')).toContainText('Read-only');
    // The sidebar marks the run shown.
    await expect(runs.first()).toHaveClass(/jp-mod-selected/);

    // Nothing can be edited: no edit buttons, the keyboard deletes nothing,
    // the properties are disabled, steps cannot be dragged.
    await expect(view.locator('.jp-Toolbar [data-command="orchest-jlab:add-step"]')).toHaveCount(0);
    await expect(view.locator('.jp-Toolbar [data-command="orchest-jlab:run-all"]')).toHaveCount(0);
    await stepNode(view, 'Report').click();
    await page.keyboard.press('Delete');
    await expect(view.locator('.react-flow__node')).toHaveCount(3);
    // (A node's own transform is its place in the pipeline; dragging pans the view.)
    const before = await stepNode(view, 'Report').evaluate(el => (el as HTMLElement).style.transform);
    await stepNode(view, 'Report').dragTo(view.locator('.react-flow__pane'), { targetPosition: { x: 40, y: 40 } });
    expect(await stepNode(view, 'Report').evaluate(el => (el as HTMLElement).style.transform)).toBe(before);
    await view.locator('.jp-Toolbar .jp-ToolbarButtonComponent', { hasText: 'Properties' }).click();
    await expect(view.locator('.jp-OrchestProps input[name="title"]')).toBeDisabled();
    await expect(execute(page, 'orchest-jlab:undo')).resolves.toBeUndefined();
    await expect(view.locator('.react-flow__node')).toHaveCount(3);

    // The run's logs.
    await clickToolbar(view, 'orchest-jlab:toggle-log');
    await expect(view.locator('.jp-OrchestLog-text')).toContainText('hottest days');

    // The editor still shows the pipeline as it is now.
    await page.locator('#jp-main-dock-panel .lm-TabBar-tab', { hasText: 'quickstart.orchest' }).click();
    await expect(editor.locator('.react-flow__node')).toHaveCount(2);
  });

  test('opens an executed notebook of a run read-only', async ({ page, tmpPath, request, baseURL }) => {
    const folder = await copyExample(page, tmpPath);
    const run = await runToEnd(request, baseURL!, { pipeline: `${folder}/quickstart.orchest`, interactive: false });
    expect(run.status).toBe('SUCCESS');
    await execute(page, 'orchest-jlab:open-run', { runUuid: run.uuid });
    const view = page.locator('#jp-main-dock-panel .jp-OrchestRunView:visible');
    await expect(stepState(view, 'Transform')).toHaveAttribute('data-state', 'COMPUTED');
    await expect(view.locator('.jp-OrchestEditor-readOnly')).toContainText('snapshot');

    await stepNode(view, 'Transform').dblclick();
    const tab = page.locator('#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current');
    await expect(tab).toContainText(`transform.ipynb (run ${run.number})`);
    const notebook = page.locator('#jp-main-dock-panel .jp-OrchestStaticNotebook:visible');
    // Rendered as JupyterLab renders notebooks: markdown, code, the outputs of the run.
    await expect(notebook.locator('.jp-MarkdownCell h1')).toHaveText(/Transform/);
    await expect(notebook.locator('.jp-CodeCell')).toHaveCount(3);
    await expect(notebook.locator('.jp-OutputArea-output').first()).toContainText("'day': 1");
    // Multi-line text (a list of lines in the file) renders as JupyterLab renders it: no stray commas.
    const result = await notebook.locator('.jp-OutputArea-output').first().innerText();
    expect(result).toContain("},\n {'day': 2");
    expect(result).not.toMatch(/\n,/);
    await expect(notebook.locator('.jp-CodeCell .jp-InputPrompt').first()).toContainText('[1]');
    // Read-only: typing into a cell changes nothing.
    const editorLine = notebook.locator('.jp-CodeCell .cm-content').first();
    await expect(editorLine).toHaveAttribute('aria-readonly', 'true');
    const text = await editorLine.innerText();
    await editorLine.click();
    await page.keyboard.type('changed');
    expect(await editorLine.innerText()).toBe(text);
    // The project's notebook was not executed (the snapshot's was).
    const original = JSON.parse(await readFile(request, baseURL!, `${folder}/transform.ipynb`));
    expect(original.cells[1].outputs).toEqual([]);
  });

  test('creates an editable copy of the pipeline a run ran', async ({ page, tmpPath, request, baseURL }) => {
    const folder = await copyExample(page, tmpPath);
    const run = await runToEnd(request, baseURL!, { pipeline: `${folder}/quickstart.orchest`, interactive: false });
    // The pipeline changes after the run.
    const changed = JSON.parse(await readFile(request, baseURL!, `${folder}/quickstart.orchest`));
    changed.name = 'Changed afterwards';
    await page.contents.uploadContent(JSON.stringify(changed, null, 4) + '\n', 'text', `${folder}/quickstart.orchest`);

    await execute(page, 'orchest-jlab:open-run', { runUuid: run.uuid });
    const view = page.locator('#jp-main-dock-panel .jp-OrchestRunView:visible');
    await expect(view.locator('.react-flow__node')).toHaveCount(3);
    await view.locator('.jp-Toolbar [data-command="orchest-jlab:copy-run-pipeline"]').click();

    const copyPath = `${folder}/quickstart-run-${run.uuid.slice(0, 8)}.orchest`;
    await expect.poll(() => fileExists(request, baseURL!, copyPath)).toBe(true);
    const copy = JSON.parse(await readFile(request, baseURL!, copyPath));
    expect(Object.keys(copy.steps).sort()).toEqual(Object.keys(changed.steps).sort());
    expect(copy.uuid).not.toBe(changed.uuid);
    expect(copy.name).not.toBe('Changed afterwards');

    // Opened in the editor, editable.
    const editor = page.locator('#jp-main-dock-panel .jp-OrchestEditorWidget:not(.jp-OrchestRunView):visible');
    await expect(page.locator('#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current')).toContainText(
      `quickstart-run-${run.uuid.slice(0, 8)}.orchest`
    );
    await expect(editor.locator('.react-flow__node')).toHaveCount(3);
    await expect(editor.locator('.jp-Toolbar [data-command="orchest-jlab:add-step"]')).not.toHaveAttribute(
      'aria-disabled',
      'true'
    );
    // A second copy does not overwrite the first: the server's message says so.
    await page.locator('#jp-main-dock-panel .lm-TabBar-tab', { hasText: `Run ${run.number} · ` }).click();
    await view.locator('.jp-Toolbar [data-command="orchest-jlab:copy-run-pipeline"]').click();
    await expect(view.locator('.jp-OrchestEditor-message.jp-mod-error')).toContainText('exists');
  });
});
