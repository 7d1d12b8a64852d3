/**
 * The interactive session controls of the pipeline editor: the status in
 * the toolbar, start and stop, auto-start on open, runs that start the
 * session first, and what happens to a session when its last editor closes
 * (it keeps running, unless `shutdownSessionOnClose`).
 */
import { expect, galata, IJupyterLabPageFixture, test } from '@jupyterlab/galata';

import {
  apiURL,
  clickToolbar,
  copyExample,
  execute,
  MAKE,
  openExample,
  openPipeline,
  readFile,
  REAL_SESSIONS,
  removeExample,
  removeExampleAfterEach,
  sessionStatus,
  stepState
} from './helpers';

// Galata's mock of JupyterLab's sessions would catch orchest's sessions API.
test.use(REAL_SESSIONS);

test.describe('Interactive sessions', () => {
  test.setTimeout(480000);
  removeExampleAfterEach();

  test('the session starts when a pipeline opens, and stops from the toolbar', async ({
    page,
    tmpPath,
    request,
    baseURL
  }) => {
    const { folder, editor } = await openExample(page, tmpPath);
    const status = sessionStatus(editor);
    // The first session may build its environment's image first.
    await expect(status).toHaveAttribute('data-status', /LAUNCHING|RUNNING/);
    await expect(status).toHaveAttribute('data-status', 'RUNNING', { timeout: 300000 });
    await expect(status).toContainText('Session running');
    const session = await (await request.get(apiURL(baseURL!, `sessions/${folder}/quickstart.orchest`))).json();
    expect(session.status).toBe('RUNNING');

    await expect(editor.locator('.jp-Toolbar [data-command="orchest-jlab:start-session"]')).toHaveAttribute(
      'aria-disabled',
      'true'
    );
    await clickToolbar(editor, 'orchest-jlab:stop-session');
    await expect(status).toHaveAttribute('data-status', 'STOPPED', { timeout: 30000 });
    await expect(status).toContainText('Session stopped');
    await expect(editor.locator('.jp-Toolbar [data-command="orchest-jlab:stop-session"]')).toHaveAttribute(
      'aria-disabled',
      'true'
    );

    // And starts again from the toolbar.
    await clickToolbar(editor, 'orchest-jlab:start-session');
    await expect(status).toHaveAttribute('data-status', 'RUNNING', { timeout: 90000 });
  });

  test('a run started while the session is stopped starts the session first', async ({ page, tmpPath }) => {
    const { folder, editor } = await openExample(page, tmpPath);
    const status = sessionStatus(editor);
    await expect(status).toHaveAttribute('data-status', 'RUNNING', { timeout: 300000 });
    await clickToolbar(editor, 'orchest-jlab:stop-session');
    await expect(status).toHaveAttribute('data-status', 'STOPPED', { timeout: 30000 });

    await clickToolbar(editor, 'orchest-jlab:run-all');
    // The session starts first, shown in the toolbar and the run status …
    await expect(status).not.toHaveAttribute('data-status', 'STOPPED', { timeout: 10000 });
    await expect(status).toHaveAttribute('data-status', 'RUNNING', { timeout: 90000 });
    // … then the run goes through.
    for (const title of ['Make data', 'Transform', 'Report']) {
      await expect(stepState(editor, title)).toHaveAttribute('data-state', 'COMPUTED', { timeout: 90000 });
    }
    await expect(editor.locator('.jp-OrchestRunStatus')).toHaveAttribute('data-status', 'SUCCESS');
  });

  test('a session that fails shows why, in the toolbar and when a run needs it', async ({
    page,
    tmpPath,
    request,
    baseURL
  }) => {
    const folder = await copyExample(page, tmpPath);
    // An environment whose setup script fails: its image cannot be built. (One whose base image is
    // nowhere does not fail the session: `auto` runs its steps on the host, and says why.)
    const project = `${folder}/quickstart.orchest`;
    const created = await request.post(apiURL(baseURL!, `environments?project=${encodeURIComponent(project)}`), {
      data: { name: 'Broken', setup_script: 'echo "no-such-package" >&2\nexit 3\n' }
    });
    expect(created.status(), await created.text()).toBe(201);
    const environment = (await created.json()).uuid as string;
    try {
      const text = await readFile(request, baseURL!, project);
      const pipeline = JSON.parse(text);
      pipeline.steps[MAKE].environment = environment;
      await page.contents.uploadContent(JSON.stringify(pipeline, null, 4) + '\n', 'text', project);

      const editor = await openPipeline(page, folder);
      const status = sessionStatus(editor);
      await expect(status).toHaveAttribute('data-status', 'FAILURE', { timeout: 120000 });
      await expect(status).toContainText('Session failed');
      await expect(status).toHaveAttribute('title', /exited with code 3/);

      // A run tries the session again, and says why it cannot run.
      await clickToolbar(editor, 'orchest-jlab:run-all');
      const banner = editor.locator('.jp-OrchestEditor-message.jp-mod-error');
      await expect(banner).toContainText('The interactive session of', { timeout: 120000 });
      await expect(banner).toContainText('failed');
      await expect(banner).toContainText('exited with code 3');
      await expect(stepState(editor, 'Make data')).toHaveAttribute('data-state', 'READY');
    } finally {
      await removeExample(page, tmpPath);
      await request.delete(apiURL(baseURL!, `environments/${environment}?project=${encodeURIComponent(project)}`));
    }
  });

  test('a pipeline with errors does not start its session, and the status says why', async ({ page, tmpPath }) => {
    const folder = await copyExample(page, tmpPath);
    await page.contents.deleteFile(`${folder}/report.py`);
    const editor = await openPipeline(page, folder);
    const status = sessionStatus(editor);
    await expect(status).toHaveAttribute('title', /Not started: .*has errors/);
    await expect(status).toHaveAttribute('data-status', 'STOPPED');
    // No banner interrupts: the problems bar says what is wrong.
    await expect(editor.locator('.jp-OrchestEditor-message')).toHaveCount(0);
  });
});

/** Close the current tab (an editor) and wait until `left` editors remain. */
async function closeEditor(page: IJupyterLabPageFixture, left = 0): Promise<void> {
  await execute(page, 'application:close');
  await expect(page.locator('#jp-main-dock-panel .jp-OrchestEditorWidget')).toHaveCount(left);
}

test.describe('A session after its last editor closed', () => {
  test.setTimeout(480000);
  removeExampleAfterEach();

  test('keeps running by default, and the Running panel lists it', async ({ page, tmpPath, request, baseURL }) => {
    const { folder, editor } = await openExample(page, tmpPath);
    await expect(sessionStatus(editor)).toHaveAttribute('data-status', 'RUNNING', { timeout: 300000 });
    await closeEditor(page);
    await page.sidebar.openTab('jp-running-sessions');
    await expect(page.locator('#jp-running-sessions .jp-OrchestRunningSession', { hasText: 'quickstart.orchest' })).toHaveCount(1);
    const session = await (await request.get(apiURL(baseURL!, `sessions/${folder}/quickstart.orchest`))).json();
    expect(session.status).toBe('RUNNING');
  });
});

test.describe('With shutdownSessionOnClose', () => {
  test.use({
    mockSettings: { ...galata.DEFAULT_SETTINGS, 'orchest-jlab:editor': { shutdownSessionOnClose: true } }
  });
  test.setTimeout(480000);
  removeExampleAfterEach();

  test('the session stops when its last editor closes', async ({ page, tmpPath, request, baseURL }) => {
    const { folder, editor } = await openExample(page, tmpPath);
    await expect(sessionStatus(editor)).toHaveAttribute('data-status', 'RUNNING', { timeout: 300000 });
    // A second view of the same pipeline keeps it.
    await execute(page, 'docmanager:clone');
    await expect(page.locator('#jp-main-dock-panel .jp-OrchestEditorWidget')).toHaveCount(2);
    await closeEditor(page, 1);
    const status = async (): Promise<string> =>
      (await (await request.get(apiURL(baseURL!, `sessions/${folder}/quickstart.orchest`))).json()).status;
    expect(await status()).toBe('RUNNING');
    await closeEditor(page);
    await expect.poll(status, { timeout: 30000 }).toBe('STOPPED');
  });
});

