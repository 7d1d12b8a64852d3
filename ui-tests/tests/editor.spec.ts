import { expect, test } from '@jupyterlab/galata';

import {
  clickToolbar,
  copyExample,
  dragConnection,
  execute,
  fileExists,
  MAKE,
  openPipeline,
  readFile,
  REAL_SESSIONS,
  removeExampleAfterEach,
  REPORT,
  stepNode,
  stepState
} from './helpers';

// Galata's mock of JupyterLab's sessions would catch orchest's sessions API.
test.use(REAL_SESSIONS);

test.describe('Pipeline editor', () => {
  let folder = '';
  test.beforeEach(async ({ page, tmpPath }) => {
    folder = await copyExample(page, tmpPath);
  });
  removeExampleAfterEach();

  test('opens the example pipeline with its three steps', async ({ page, tmpPath }) => {
    const editor = await openPipeline(page, folder);
    await expect(editor.locator('.react-flow__node')).toHaveCount(3);
    for (const title of ['Make data', 'Transform', 'Report']) {
      await expect(stepNode(editor, title)).toBeVisible();
      await expect(stepState(editor, title)).toHaveAttribute('data-state', 'READY');
    }
    await expect(stepNode(editor, 'Transform')).toContainText('transform.ipynb');
    await expect(editor.locator('.react-flow__edge')).toHaveCount(2);
    // Opened with the pipeline editor, not the text editor.
    await expect(page.locator('#jp-main-dock-panel .jp-FileEditor:visible')).toHaveCount(0);
  });
});

test.describe('Editing a pipeline', () => {
  let folder = '';
  test.beforeEach(async ({ page, tmpPath }) => {
    folder = await copyExample(page, tmpPath);
  });
  removeExampleAfterEach();

  test('adds a step for a new notebook, connects it and saves', async ({
    page,
    tmpPath,
    request,
    baseURL
  }) => {
    const editor = await openPipeline(page, folder);
    await clickToolbar(editor, 'orchest-jlab:add-step');
    const dialog = page.locator('.jp-Dialog');
    await dialog.locator('input[name="title"]').fill('Plot results');
    await expect(dialog.locator('input[name="file_path"]')).toHaveValue('plot-results.ipynb');
    await dialog.locator('.jp-mod-accept').click();
    await expect(editor.locator('.react-flow__node')).toHaveCount(4);
    await expect(stepNode(editor, 'Plot results')).toContainText('plot-results.ipynb');
    // The notebook was made, naming the kernel of the step's environment where the server serves it.
    await expect.poll(() => fileExists(request, baseURL!, `${folder}/plot-results.ipynb`)).toBe(true);
    const kernel = 'orchest-kernel-8c5ff0a9-6a39-4d1c-9a36-0a4b6f1f3c11';
    const specs = (await (await request.get(`${baseURL}/api/kernelspecs`)).json()).kernelspecs;
    const notebook = JSON.parse(await readFile(request, baseURL!, `${folder}/plot-results.ipynb`));
    expect(notebook.metadata.kernelspec).toEqual(
      kernel in specs
        ? { name: kernel, display_name: specs[kernel].spec.display_name, language: 'python' }
        : { name: 'python3', display_name: 'Python 3 (ipykernel)', language: 'python' }
    );

    await dragConnection(page, editor, 'Report', 'Plot results');
    await expect(editor.locator('.react-flow__edge')).toHaveCount(3);
    // Unsaved: the tab shows the dirty marker.
    await expect(page.locator('#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current')).toHaveClass(/jp-mod-dirty/);

    await execute(page, 'docmanager:save');
    await expect(page.locator('#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current')).not.toHaveClass(/jp-mod-dirty/);

    const text = await readFile(request, baseURL!, `${folder}/quickstart.orchest`);
    // Orchest's format: sorted keys, 4-space indent, trailing newline.
    expect(text.startsWith('{\n    "name": "Weather quickstart",\n')).toBe(true);
    expect(text.endsWith('}\n')).toBe(true);
    const saved = JSON.parse(text);
    const added = Object.values(saved.steps).find((s: any) => s.title === 'Plot results') as any;
    expect(added).toMatchObject({
      file_path: 'plot-results.ipynb',
      incoming_connections: [REPORT],
      environment: '8c5ff0a9-6a39-4d1c-9a36-0a4b6f1f3c11',
      kernel: { name: 'python', display_name: 'Python 3' },
      meta_data: { hidden: false },
      parameters: {}
    });
    expect(added.uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(Object.keys(saved.steps)).toContain(added.uuid);
  });

  test('refuses a connection that would make a cycle, with a message', async ({ page, tmpPath }) => {
    const editor = await openPipeline(page, folder);
    await dragConnection(page, editor, 'Report', 'Make data');
    const message = editor.locator('.jp-OrchestEditor-message');
    await expect(message).toContainText(
      'Connecting "Report" to "Make data" would make a cycle: "Report" → "Make data" → "Transform" → "Report".'
    );
    await expect(editor.locator('.react-flow__edge')).toHaveCount(2);
    await expect(page.locator('#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current')).not.toHaveClass(/jp-mod-dirty/);
  });

  test('deletes, undoes and redoes with the keyboard', async ({ page, tmpPath }) => {
    const editor = await openPipeline(page, folder);
    await stepNode(editor, 'Transform').click();
    await page.keyboard.press('Delete');
    await expect(editor.locator('.react-flow__node')).toHaveCount(2);
    await expect(editor.locator('.react-flow__edge')).toHaveCount(0);
    await page.keyboard.press('Control+z');
    await expect(editor.locator('.react-flow__node')).toHaveCount(3);
    await expect(editor.locator('.react-flow__edge')).toHaveCount(2);
    await page.keyboard.press('Control+Shift+z');
    await expect(editor.locator('.react-flow__node')).toHaveCount(2);
    await page.keyboard.press('Control+z');
    // Duplicate and copy / paste.
    await stepNode(editor, 'Report').click();
    await page.keyboard.press('Control+d');
    await expect(stepNode(editor, 'Report (copy)')).toBeVisible();
    await page.keyboard.press('Control+c');
    await page.keyboard.press('Control+v');
    await expect(editor.locator('.react-flow__node')).toHaveCount(5);
    // Edit → Undo works too, named after the edit.
    await page.menu.open('Edit');
    await page.locator('.lm-Menu-item', { hasText: 'Undo Paste step' }).click();
    await expect(editor.locator('.react-flow__node')).toHaveCount(4);
  });

  test('reverts to the file on disk, and follows the text editor', async ({ page }) => {
    const editor = await openPipeline(page, folder);
    await stepNode(editor, 'Report').click();
    await page.keyboard.press('Control+d');
    await expect(editor.locator('.react-flow__node')).toHaveCount(4);
    await expect(page.locator('#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current')).toHaveClass(/jp-mod-dirty/);
    // File → Reload from Disk, confirmed (the edits are lost).
    await page.evaluate(() => {
      void window.jupyterapp.commands.execute('docmanager:reload');
    });
    await page.locator('.jp-Dialog .jp-mod-accept').click();
    await expect(editor.locator('.react-flow__node')).toHaveCount(3);

    // The same document in the text editor: a change there shows in the pipeline editor.
    await execute(page, 'docmanager:open', { path: `${folder}/quickstart.orchest`, factory: 'Editor' });
    await expect(page.locator('#jp-main-dock-panel .jp-FileEditor:visible')).toHaveCount(1);
    // An edit in the text editor (its model; the lines are off screen to type into).
    await page.evaluate(() => {
      const widget: any = (window as any).jupyterapp.shell.currentWidget;
      const shared = widget.content.model.sharedModel;
      const source: string = shared.getSource();
      const at = source.indexOf('"title": "Report"') + '"title": "Report'.length;
      shared.updateSource(at, at, ' card');
    });
    await page.locator('#jp-main-dock-panel .lm-TabBar-tab', { hasText: 'quickstart.orchest' }).first().click();
    await expect(stepNode(editor, 'Report card')).toBeVisible();
  });

  test('chooses a step file in the file dialog', async ({ page }) => {
    const editor = await openPipeline(page, folder);
    await stepNode(editor, 'Report').click();
    await editor.locator('.jp-OrchestProps-choose').click();
    const dialog = page.locator('.jp-Dialog');
    await dialog.locator('.jp-DirListing-item', { hasText: 'make_data.py' }).click();
    await dialog.locator('.jp-mod-accept').click();
    await expect(editor.locator('.jp-OrchestProps input[name="file_path"]')).toHaveValue('make_data.py');
    await expect(stepNode(editor, 'Report')).toContainText('make_data.py');
    // The shortcuts apply on the canvas.
    await editor.locator('.react-flow__pane').click({ position: { x: 20, y: 20 } });
    await page.keyboard.press('Control+z');
    await expect(stepNode(editor, 'Report')).toContainText('report.py');
  });

  test('edits step properties and refuses invalid JSON parameters', async ({
    page,
    tmpPath,
    request,
    baseURL
  }) => {
    const editor = await openPipeline(page, folder);
    await stepNode(editor, 'Make data').click();
    const props = editor.locator('.jp-OrchestProps');
    await props.locator('input[name="title"]').fill('Make readings');
    await props.locator('input[name="title"]').press('Enter');
    await expect(stepNode(editor, 'Make readings')).toBeVisible();
    const parameters = props.locator('textarea[name="parameters"]');
    await parameters.fill('{"days": 10, ');
    await expect(props.locator('.jp-OrchestField-problem')).toContainText('Not valid JSON');
    await parameters.fill('{"days": 10, "seed": 1}');
    await expect(props.locator('.jp-OrchestField-problem')).toHaveCount(0);
    await parameters.blur();
    // Rows for simple values: edit keeping the type, add, remove.
    await expect(props.locator('input[name="param-days"]')).toHaveValue('10');
    await props.locator('input[name="param-days"]').fill('12');
    await props.locator('input[name="param-days"]').press('Enter');
    await props.locator('input[name="new-param-name"]').fill('region');
    await props.locator('input[name="new-param-value"]').fill('north');
    await props.locator('input[name="new-param-value"]').press('Enter');
    await props.getByTitle('Remove the parameter “seed”').click();
    await expect(parameters).toHaveValue('{\n  "days": 12,\n  "region": "north"\n}');
    // The project's environments, by name.
    await expect(props.locator('select[name="environment"]')).toHaveValue('8c5ff0a9-6a39-4d1c-9a36-0a4b6f1f3c11');
    await expect(props.locator('select[name="environment"] option:checked')).toHaveText('Python 3 (python)');
    await execute(page, 'docmanager:save');
    await expect(page.locator('#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current')).not.toHaveClass(/jp-mod-dirty/);
    const saved = JSON.parse(await readFile(request, baseURL!, `${folder}/quickstart.orchest`));
    expect(saved.steps[MAKE].title).toBe('Make readings');
    expect(saved.steps[MAKE].parameters).toEqual({ days: 12, region: 'north' });
  });

  test('the environment list follows environments created and deleted elsewhere', async ({
    page,
    request,
    baseURL
  }) => {
    const editor = await openPipeline(page, folder);
    await stepNode(editor, 'Make data').click();
    const options = editor.locator('.jp-OrchestProps select[name="environment"] option');
    await expect(options).toHaveCount(1);
    const project = encodeURIComponent(`${folder}/quickstart.orchest`);
    const created = await request.post(`${baseURL}/orchest/api/environments?project=${project}`, {
      data: { name: 'Made elsewhere' }
    });
    expect(created.status()).toBe(201);
    const uuid = (await created.json()).uuid;
    // The server's `environment` event, not a reload, brings it.
    await expect(options.filter({ hasText: 'Made elsewhere' })).toHaveCount(1);
    await request.delete(`${baseURL}/orchest/api/environments/${uuid}?project=${project}`);
    await expect(options.filter({ hasText: 'Made elsewhere' })).toHaveCount(0);
  });
});

test.describe('Running a pipeline', () => {
  let folder = '';
  removeExampleAfterEach();
  test('runs all steps, states update live, and shows a step log', async ({ page, tmpPath }) => {
    folder = await copyExample(page, tmpPath);
    const editor = await openPipeline(page, folder);
    await clickToolbar(editor, 'orchest-jlab:run-all');
    // Live: the run status appears, then each step completes.
    await expect(editor.locator('.jp-OrchestRunStatus')).toBeVisible();
    for (const title of ['Make data', 'Transform', 'Report']) {
      await expect(stepState(editor, title)).toHaveAttribute('data-state', 'COMPUTED', { timeout: 90000 });
    }
    await expect(editor.locator('.jp-OrchestRunStatus')).toHaveAttribute('data-status', 'SUCCESS');
    await expect(stepState(editor, 'Report')).toContainText(/Completed · \d/);

    await stepNode(editor, 'Report').click();
    await clickToolbar(editor, 'orchest-jlab:toggle-log');
    const log = editor.locator('.jp-OrchestLog');
    await expect(log.locator('.jp-OrchestLog-title')).toContainText('Report');
    await expect(log.locator('.jp-OrchestLog-text')).toContainText('hottest days (celsius)');
    await stepNode(editor, 'Make data').click();
    await expect(log.locator('.jp-OrchestLog-text')).toContainText('made 30 readings');
  });

  test("runs a step's incoming steps from its context menu", async ({ page, tmpPath }) => {
    folder = await copyExample(page, tmpPath);
    const editor = await openPipeline(page, folder);
    await stepNode(editor, 'Report').click({ button: 'right' });
    await page.locator('.lm-Menu-item', { hasText: 'Run Incoming Steps' }).click();
    await expect(stepState(editor, 'Transform')).toHaveAttribute('data-state', 'COMPUTED', { timeout: 90000 });
    await expect(stepState(editor, 'Make data')).toHaveAttribute('data-state', 'COMPUTED');
    await expect(stepState(editor, 'Report')).toHaveAttribute('data-state', 'READY');
    await expect(editor.locator('.jp-OrchestRunStatus')).toHaveAttribute('data-status', 'SUCCESS');
  });

  test('a failing step fails, and the steps after it are aborted', async ({ page, tmpPath }) => {
    folder = await copyExample(page, tmpPath, {
      'make_data.py': 'import orchest\n\nprint("about to fail")\nraise RuntimeError("no data today")\n'
    });
    const editor = await openPipeline(page, folder);
    // Open the log first: it streams while the step runs.
    await stepNode(editor, 'Make data').click();
    await clickToolbar(editor, 'orchest-jlab:toggle-log');
    await clickToolbar(editor, 'orchest-jlab:run-all');
    await expect(stepState(editor, 'Make data')).toHaveAttribute('data-state', 'FAILURE', { timeout: 90000 });
    await expect(stepState(editor, 'Transform')).toHaveAttribute('data-state', 'ABORTED');
    await expect(stepState(editor, 'Report')).toHaveAttribute('data-state', 'ABORTED');
    await expect(editor.locator('.jp-OrchestRunStatus')).toHaveAttribute('data-status', 'FAILURE');
    const log = editor.locator('.jp-OrchestLog-text');
    await expect(log).toContainText('about to fail');
    await expect(log).toContainText('RuntimeError: no data today');
  });

  test('shows a run in progress after a page reload, then its end', async ({ page, tmpPath }) => {
    // The step runs until the test lets it end (a file appears): no race with the reload's duration.
    folder = await copyExample(page, tmpPath, {
      'make_data.py':
        'import os, time\n\nimport orchest\n\nprint("working", flush=True)\n' +
        'for _ in range(3000):\n    if os.path.exists("release"):\n        break\n    time.sleep(0.1)\n' +
        'orchest.output([{"day": 1, "celsius": 20.0}], name="readings")\n'
    });
    let editor = await openPipeline(page, folder);
    await clickToolbar(editor, 'orchest-jlab:run-all');
    await expect(stepState(editor, 'Make data')).toHaveAttribute('data-state', 'RUNNING', { timeout: 30000 });
    await page.reload({ waitForIsReady: false });
    await page.locator('#jupyterlab-splash').waitFor({ state: 'detached' });
    editor = page.locator('#jp-main-dock-panel .jp-OrchestEditorWidget:visible');
    // The layout restorer reopens the editor; the run's states come back.
    await expect(editor).toHaveCount(1);
    await expect(stepState(editor, 'Make data')).toHaveAttribute('data-state', 'RUNNING');
    await expect(stepState(editor, 'Transform')).toHaveAttribute('data-state', 'PENDING');
    await page.contents.uploadContent('', 'text', `${folder}/release`);
    for (const title of ['Make data', 'Transform', 'Report']) {
      await expect(stepState(editor, title)).toHaveAttribute('data-state', 'COMPUTED', { timeout: 90000 });
    }
  });

  test('cancels a run', async ({ page, tmpPath }) => {
    folder = await copyExample(page, tmpPath, {
      'make_data.py': 'import time\n\nprint("sleeping", flush=True)\ntime.sleep(60)\n'
    });
    const editor = await openPipeline(page, folder);
    await clickToolbar(editor, 'orchest-jlab:run-all');
    await expect(stepState(editor, 'Make data')).toHaveAttribute('data-state', 'RUNNING', { timeout: 30000 });
    await clickToolbar(editor, 'orchest-jlab:cancel-run');
    for (const title of ['Make data', 'Transform', 'Report']) {
      await expect(stepState(editor, title)).toHaveAttribute('data-state', 'ABORTED', { timeout: 30000 });
    }
    await expect(editor.locator('.jp-OrchestRunStatus')).toHaveAttribute('data-status', 'ABORTED');
  });
});

test.describe('File browser integration', () => {
  removeExampleAfterEach();

  test('runs a step from the file browser context menu', async ({ page, tmpPath }) => {
    const folder = await copyExample(page, tmpPath);
    await page.filebrowser.openDirectory(folder);
    await page.locator('.jp-DirListing-item', { hasText: 'make_data.py' }).click({ button: 'right' });
    await page.locator('.lm-Menu-item', { hasText: /^Run Step$/ }).click();
    const editor = page.locator('#jp-main-dock-panel .jp-OrchestEditorWidget:visible');
    await expect(stepState(editor, 'Make data')).toHaveAttribute('data-state', 'COMPUTED', { timeout: 90000 });
    // Only that step ran.
    await expect(stepState(editor, 'Transform')).toHaveAttribute('data-state', 'READY');

    await page.locator('.jp-DirListing-item', { hasText: 'report.py' }).click({ button: 'right' });
    await page.locator('.lm-Menu-item', { hasText: 'Run Step and Its Incoming Steps' }).click();
    await expect(stepState(editor, 'Report')).toHaveAttribute('data-state', 'COMPUTED', { timeout: 90000 });
    await expect(stepState(editor, 'Make data')).toHaveAttribute('data-state', 'COMPUTED');
    await expect(stepState(editor, 'Transform')).toHaveAttribute('data-state', 'COMPUTED');
  });

  test("a notebook's toolbar runs it with its incoming steps", async ({ page, tmpPath }) => {
    const folder = await copyExample(page, tmpPath);
    await page.filebrowser.openDirectory(folder);
    await page.locator('.jp-DirListing-item', { hasText: 'transform.ipynb' }).dblclick();
    const notebook = page.locator('#jp-main-dock-panel .jp-NotebookPanel:visible');
    await notebook.locator('.jp-Toolbar [data-jp-item-name="orchestRunStep"]').click();
    const editor = page.locator('#jp-main-dock-panel .jp-OrchestEditorWidget:visible');
    await expect(stepState(editor, 'Transform')).toHaveAttribute('data-state', 'COMPUTED', { timeout: 90000 });
    await expect(stepState(editor, 'Make data')).toHaveAttribute('data-state', 'COMPUTED');
    await expect(stepState(editor, 'Report')).toHaveAttribute('data-state', 'READY');
  });

  test('a notebook dragged from the file browser becomes a step', async ({ page, tmpPath }) => {
    const folder = await copyExample(page, tmpPath);
    await page.contents.uploadContent(
      JSON.stringify({ cells: [], metadata: {}, nbformat: 4, nbformat_minor: 5 }),
      'text',
      `${folder}/extra.ipynb`
    );
    const editor = await openPipeline(page, folder);
    await page.filebrowser.refresh();
    const item = page.locator('.jp-DirListing-item', { hasText: 'extra.ipynb' });
    const from = (await item.boundingBox())!;
    const to = (await editor.locator('.react-flow__pane').boundingBox())!;
    await page.mouse.move(from.x + 30, from.y + from.height / 2);
    await page.mouse.down();
    await page.mouse.move(from.x + 60, from.y + 40, { steps: 5 });
    await page.mouse.move(to.x + to.width / 2, to.y + to.height - 80, { steps: 10 });
    await page.mouse.up();
    await expect(stepNode(editor, 'extra')).toBeVisible();
    await expect(stepNode(editor, 'extra')).toContainText('extra.ipynb');
    await expect(editor.locator('.react-flow__node')).toHaveCount(4);
    // The dropped step is selected and the canvas has the focus: Delete removes it at once.
    await page.keyboard.press('Delete');
    await expect(editor.locator('.react-flow__node')).toHaveCount(3);
  });

  test('creates a new pipeline in a folder from its context menu', async ({
    page,
    tmpPath,
    request,
    baseURL
  }) => {
    await page.contents.createDirectory(`${tmpPath}/project`);
    await page.filebrowser.openDirectory(tmpPath);
    await page.locator('.jp-DirListing-item', { hasText: 'project' }).click({ button: 'right' });
    await page.locator('.lm-Menu-item', { hasText: 'New Pipeline' }).click();
    await page.locator('.jp-Dialog input').fill('untitled');
    await page.locator('.jp-Dialog .jp-mod-accept').click();
    const editor = page.locator('#jp-main-dock-panel .jp-OrchestEditorWidget:visible');
    await expect(editor.locator('.jp-OrchestEditor-empty')).toBeVisible();
    await expect(page.locator('#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current')).toContainText('.orchest');
    expect(await page.contents.fileExists(`${tmpPath}/project/untitled.orchest`)).toBe(true);

    // Its first step gets the project's (default) environment.
    await clickToolbar(editor, 'orchest-jlab:add-step');
    await page.locator('.jp-Dialog input[name="title"]').fill('First');
    await page.locator('.jp-Dialog input[name="file_path"]').fill('first.py');
    await page.locator('.jp-Dialog .jp-mod-accept').click();
    await expect(stepNode(editor, 'First')).toBeVisible();
    await execute(page, 'docmanager:save');
    await expect(page.locator('#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current')).not.toHaveClass(/jp-mod-dirty/);
    const saved = JSON.parse(await readFile(request, baseURL!, `${tmpPath}/project/untitled.orchest`));
    const [step] = Object.values(saved.steps) as any[];
    expect(step.file_path).toBe('first.py');
    const environments = await (
      await request.get(`${baseURL}/orchest/api/environments?project=${encodeURIComponent(`${tmpPath}/project/untitled.orchest`)}`)
    ).json();
    expect(environments.environments.map((e: any) => e.uuid)).toContain(step.environment);
    expect(await page.contents.fileExists(`${tmpPath}/project/first.py`)).toBe(true);
  });
});
