/**
 * The notebook loop: a step's notebook opened from the editor runs on its
 * environment's kernel (`orchest-kernel-<uuid>`, in the environment's image:
 * needs Docker) and `import orchest` there gets the upstream step's output;
 * "Run This Step" from the notebook's context menu and the Run menu, the
 * step's state in the status bar, and the open notebook showing the outputs
 * of its interactive run.
 */
import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import type { APIRequestContext, Locator } from '@playwright/test';
import * as crypto from 'crypto';

import {
  apiURL,
  clickToolbar,
  copyExample,
  execute,
  fileExists,
  MAKE,
  openPipeline,
  readFile,
  REAL_SESSIONS,
  removeExampleAfterEach,
  runToEnd,
  sessionStatus,
  stepNode,
  TRANSFORM
} from './helpers';

// Galata's mock of JupyterLab's sessions would catch orchest's sessions API.
test.use(REAL_SESSIONS);

const ENVIRONMENT = '8c5ff0a9-6a39-4d1c-9a36-0a4b6f1f3c11';
const KERNEL = `orchest-kernel-${ENVIRONMENT}`;

/** The kernel the current notebook's session runs. */
async function currentKernel(page: IJupyterLabPageFixture): Promise<string | null> {
  return page.evaluate(() => {
    const widget = window.jupyterapp.shell.currentWidget as any;
    return widget?.sessionContext?.session?.kernel?.name ?? null;
  });
}

/** JupyterLab has written the kernel's language_info into the current notebook. */
async function kernelMetadataWritten(page: IJupyterLabPageFixture): Promise<void> {
  await expect
    .poll(() =>
      page.evaluate(() => {
        const widget = window.jupyterapp.shell.currentWidget as any;
        return !!widget?.context?.model?.getMetadata('language_info')?.version;
      })
    )
    .toBe(true);
}

/** The status bar's item of the current file's step. */
function stepStatus(page: IJupyterLabPageFixture) {
  return page.locator('#jp-main-statusbar .jp-OrchestStepStatus');
}

/**
 * The example in a folder of its own, its editor open with the session running, and the output of
 * its first step ("Make data") from an interactive run.
 */
async function withUpstreamOutput(
  page: IJupyterLabPageFixture,
  tmpPath: string,
  request: APIRequestContext,
  baseURL: string
): Promise<{ folder: string; pipeline: string; editor: Locator; made: any }> {
  const folder = await copyExample(page, tmpPath);
  const pipeline = `${folder}/quickstart.orchest`;
  const editor = await openPipeline(page, folder);
  await expect(sessionStatus(editor)).toHaveAttribute('data-status', 'RUNNING', { timeout: 180000 });
  const made = await runToEnd(request, baseURL, { pipeline, run_type: 'selection', steps: [MAKE] });
  expect(made.status).toBe('SUCCESS');
  return { folder, pipeline, editor, made };
}

test.describe('Step notebooks', () => {
  removeExampleAfterEach();

  test("opens on its environment's kernel, where import orchest gets the upstream output", async ({
    page,
    tmpPath,
    request,
    baseURL
  }) => {
    const specs = await (await request.get(`${baseURL}/api/kernelspecs`)).json();
    const served = KERNEL in specs.kernelspecs;
    // CI has Docker: there the environment kernel must be served.
    test.skip(!served && !process.env.CI, 'No environment kernels here (no Docker engine answers the server)');
    expect(served, 'the server serves the environment kernel').toBe(true);

    const { folder, editor } = await withUpstreamOutput(page, tmpPath, request, baseURL!);

    await stepNode(editor, 'Transform').dblclick();
    const panel = page.locator('#jp-main-dock-panel .jp-NotebookPanel:visible');
    await expect(panel).toHaveCount(1);
    await expect(panel.locator('[data-jp-item-name="kernelName"]')).toHaveText(specs.kernelspecs[KERNEL].spec.display_name);
    await expect.poll(() => currentKernel(page), { timeout: 180000 }).toBe(KERNEL);
    // The notebook names the kernel on disk too, so it reopens on it.
    const file = await request.get(`${baseURL}/api/contents/${folder}/transform.ipynb?content=1`);
    expect((await file.json()).content.metadata.kernelspec.name).toBe(KERNEL);

    await page.notebook.addCell('code', 'import orchest\nprint(len(orchest.get_inputs()["readings"]), "readings")');
    await page.notebook.runCell(4);
    await expect(panel.locator('.jp-Cell').nth(4).locator('.jp-OutputArea-output')).toHaveText('30 readings', {
      timeout: 180000
    });
  });

  test('Run This Step from the notebook and its tab: the status bar shows its state, the notebook its outputs', async ({
    page,
    tmpPath,
    request,
    baseURL
  }) => {
    const { folder, pipeline, made } = await withUpstreamOutput(page, tmpPath, request, baseURL!);

    await page.filebrowser.open(`${folder}/transform.ipynb`);
    const panel = page.locator('#jp-main-dock-panel .jp-NotebookPanel:visible');
    await expect(panel).toHaveCount(1);
    await expect(panel.locator('.jp-OutputArea-output')).toHaveCount(0);
    // JupyterLab writes the kernel's metadata (language_info) into the notebook once the kernel
    // answers: an unsaved change. Run This Step saves it first, once it is there.
    await kernelMetadataWritten(page);

    // The notebook's context menu.
    await panel.locator('.jp-Cell').nth(1).click({ button: 'right' });
    await page.locator('.lm-Menu-item', { hasText: /^Run This Step$/ }).click();
    const status = stepStatus(page);
    await expect(status).toHaveText('Transform: Completed', { timeout: 90000 });
    // The notebook had no unsaved changes: it shows the run's outputs, and is still clean.
    await expect(panel.locator('.jp-Cell').nth(2).locator('.jp-OutputArea-output')).toContainText("'day': 1");
    await expect(page.locator('#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current')).not.toHaveClass(/jp-mod-dirty/);

    const listRuns = async (): Promise<any[]> =>
      (await (await request.get(apiURL(baseURL!, `runs?pipeline=${encodeURIComponent(pipeline)}`))).json()).runs;
    const runsOf = async (): Promise<string[]> => (await listRuns()).map((r: any) => r.uuid);
    const before = await runsOf();
    expect(before).toHaveLength(2);

    // JupyterLab's Run menu; the status bar follows the new run, named by its number from its start.
    await page.menu.clickMenuItem('Run>Run This Step');
    await expect.poll(async () => (await runsOf()).length).toBe(3);
    const newest = (await listRuns()).find(run => !before.includes(run.uuid))!;
    expect(newest.number).toBe(3);
    await expect(status).toHaveAttribute('title', 'Step “Transform” in run 3');
    await expect(status).toHaveText('Transform: Completed', { timeout: 90000 });

    // The tab's context menu runs the tab's document.
    await page.locator('#jp-main-dock-panel .lm-TabBar-tab', { hasText: 'transform.ipynb' }).click({ button: 'right' });
    await page.locator('.lm-Menu-item', { hasText: /^Run This Step$/ }).click();
    await expect.poll(async () => (await runsOf()).length).toBe(4);
    await expect(status).toHaveText('Transform: Completed', { timeout: 90000 });
  });

  test('an open notebook with unsaved changes is reloaded after a run only if the user says so', async ({
    page,
    tmpPath,
    request,
    baseURL
  }) => {
    const { folder, pipeline } = await withUpstreamOutput(page, tmpPath, request, baseURL!);

    await page.filebrowser.open(`${folder}/transform.ipynb`);
    const panel = page.locator('#jp-main-dock-panel .jp-NotebookPanel:visible');
    await kernelMetadataWritten(page);
    await page.notebook.setCell(0, 'markdown', '# Transform, edited');
    const tab = page.locator('#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current');
    await expect(tab).toHaveClass(/jp-mod-dirty/);

    const dialog = page.locator('.jp-Dialog');
    const select = { pipeline, run_type: 'selection', steps: [TRANSFORM] };
    expect((await runToEnd(request, baseURL!, select)).status).toBe('SUCCESS');
    await expect(dialog).toContainText('has unsaved changes');
    await dialog.locator('button', { hasText: 'Keep My Changes' }).click();
    await expect(dialog).toHaveCount(0);
    await expect(tab).toHaveClass(/jp-mod-dirty/);
    await expect(panel.locator('.jp-Cell').first()).toContainText('Transform, edited');
    await expect(panel.locator('.jp-OutputArea-output')).toHaveCount(0);

    expect((await runToEnd(request, baseURL!, select)).status).toBe('SUCCESS');
    await expect(dialog).toContainText('has unsaved changes');
    await dialog.locator('button', { hasText: 'Load the Run’s Notebook' }).click();
    await expect(panel.locator('.jp-Cell').nth(2).locator('.jp-OutputArea-output')).toContainText("'day': 1");
    await expect(panel.locator('.jp-Cell').first()).not.toContainText('edited');
    await expect(tab).not.toHaveClass(/jp-mod-dirty/);
  });
});

test.describe('Step notebooks of a language with no kernel here', () => {
  removeExampleAfterEach(); // (its pipeline's session stopped)

  test('a new Julia step notebook names its language, and JupyterLab asks for a kernel', async ({
    page,
    tmpPath,
    request,
    baseURL
  }) => {
    // Julia environments get no environment kernel (Docker or not) and this machine has no Julia
    // kernel: the path a JavaScript or R step takes where environment kernels are not served.
    const pipeline = `${tmpPath}/julia/fit.orchest`;
    await page.contents.uploadContent(
      JSON.stringify({
        name: 'Julia fit',
        parameters: {},
        services: {},
        settings: { auto_eviction: false, data_passing_memory_size: '1GB', max_steps_parallelism: 0 },
        steps: {},
        uuid: crypto.randomUUID(),
        version: '1.0.0'
      }),
      'text',
      pipeline
    );
    const created = await request.post(apiURL(baseURL!, `environments?project=${encodeURIComponent(pipeline)}`), {
      data: { name: 'Julia', language: 'julia' }
    });
    expect(created.status()).toBe(201);
    const kernel = `orchest-kernel-${(await created.json()).uuid}`;
    const specs = (await (await request.get(`${baseURL}/api/kernelspecs`)).json()).kernelspecs;
    expect(Object.values(specs).filter((s: any) => s.spec.language === 'julia')).toEqual([]);

    await page.filebrowser.openDirectory(`${tmpPath}/julia`);
    await page.locator('.jp-DirListing-item[data-file-type="orchest-pipeline"]').dblclick();
    const editor = page.locator('#jp-main-dock-panel .jp-OrchestEditorWidget:visible');
    await expect(editor.locator('.jp-OrchestEditor-empty')).toBeVisible();
    await clickToolbar(editor, 'orchest-jlab:add-step');
    await page.locator('.jp-Dialog input[name="title"]').fill('Fit');
    await page.locator('.jp-Dialog .jp-mod-accept').click();
    await expect(stepNode(editor, 'Fit')).toBeVisible();
    // The step's kernel in the pipeline file is its environment's language, as Orchest writes it.
    await execute(page, 'docmanager:save');
    const steps = JSON.parse(await readFile(request, baseURL!, pipeline)).steps;
    expect(Object.values(steps).map((s: any) => s.kernel)).toEqual([{ name: 'julia', display_name: 'Julia' }]);
    const notebook = `${tmpPath}/julia/fit.ipynb`;
    await expect.poll(() => fileExists(request, baseURL!, notebook)).toBe(true);
    // Not Python's kernel: the environment's name (not installed) and its language.
    expect(JSON.parse(await readFile(request, baseURL!, notebook)).metadata.kernelspec).toEqual({
      name: kernel,
      display_name: 'Julia',
      language: 'julia'
    });

    await stepNode(editor, 'Fit').dblclick();
    const dialog = page.locator('.jp-Dialog');
    await expect(dialog).toContainText('Select Kernel');
    await dialog.locator('.jp-mod-reject').click();
    await expect(page.locator('#jp-main-dock-panel .jp-NotebookPanel:visible')).toHaveCount(1);
    expect(await currentKernel(page)).toBeNull();
  });
});
