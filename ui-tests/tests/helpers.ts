/**
 * Helpers of the pipeline editor tests.
 */
import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import type { APIRequestContext, Locator } from '@playwright/test';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

export const EXAMPLES = path.resolve(__dirname, '..', '..', 'examples');
export const MAKE = '1b5c6d2e-3f4a-4b6c-8d7e-9f0a1b2c3d4e';
export const TRANSFORM = '2c6d7e3f-4a5b-4c7d-9e8f-0a1b2c3d4e5f';
export const REPORT = '3d7e8f4a-5b6c-4d8e-af90-1b2c3d4e5f60';

/**
 * Copy the example pipeline's files into a new folder inside the server's
 * copy of examples/ (whose .orchest/ folder defines the environment its steps
 * use; the contents API cannot write hidden folders), with some files
 * replaced. Returns the folder; `removeExample` deletes it.
 */
export async function copyExample(
  page: IJupyterLabPageFixture,
  tmpPath: string,
  replace: { [name: string]: string } = {}
): Promise<string> {
  const folder = `examples/${tmpPath}`;
  for (const name of ['quickstart.orchest', 'make_data.py', 'transform.ipynb', 'report.py']) {
    let text = replace[name] ?? fs.readFileSync(path.join(EXAMPLES, name), 'utf-8');
    if (name === 'quickstart.orchest' && !replace[name]) {
      // Each test's copy is a pipeline of its own (runs belong to a pipeline's uuid).
      text = JSON.stringify({ ...JSON.parse(text), uuid: crypto.randomUUID() }, null, 4) + '\n';
    }
    await page.contents.uploadContent(text, 'text', `${folder}/${name}`);
  }
  return folder;
}

/**
 * Delete a folder made by `copyExample`, after stopping the interactive
 * sessions of its pipelines (their kernels and containers).
 */
export async function removeExample(page: IJupyterLabPageFixture, tmpPath: string): Promise<void> {
  const folder = `examples/${tmpPath}`;
  const listed = await page.request.get('/orchest/api/sessions').catch(() => null);
  const sessions: { pipeline_path: string }[] = listed?.ok() ? (await listed.json()).sessions : [];
  // (Tests also make pipelines in their own folder, outside examples/.)
  const ours = (path: string): boolean => path.startsWith(`${folder}/`) || path.startsWith(`${tmpPath}/`);
  for (const session of sessions.filter(s => ours(s.pipeline_path))) {
    const path = session.pipeline_path.split('/').map(encodeURIComponent).join('/');
    await page.request.delete(`/orchest/api/sessions/${path}`).catch(() => undefined);
  }
  await page.contents.deleteDirectory(folder).catch(() => undefined);
}

/**
 * In the calling `test.describe`: after each test, remove its copy of the
 * example (`removeExample`: its sessions stopped, its folder deleted).
 */
export function removeExampleAfterEach(): void {
  test.afterEach(async ({ page, tmpPath }) => {
    await removeExample(page, tmpPath);
  });
}

/**
 * A test's own copy of the example (`copyExample`), opened in the pipeline
 * editor (`openPipeline`).
 */
export async function openExample(
  page: IJupyterLabPageFixture,
  tmpPath: string
): Promise<{ folder: string; editor: Locator }> {
  const folder = await copyExample(page, tmpPath);
  return { folder, editor: await openPipeline(page, folder) };
}

/**
 * Open a pipeline in the pipeline editor (a double-click in the file browser)
 * and wait for its steps.
 */
export async function openPipeline(
  page: IJupyterLabPageFixture,
  folder: string,
  name = 'quickstart.orchest'
): Promise<Locator> {
  await page.filebrowser.openDirectory(folder);
  const item = page.locator('.jp-DirListing-item[data-file-type="orchest-pipeline"]', {
    hasText: name
  });
  await item.dblclick();
  const editor = page.locator('#jp-main-dock-panel .jp-OrchestEditorWidget:visible');
  await expect(editor).toHaveCount(1);
  await expect(editor.locator('.react-flow__node').first()).toBeVisible();
  return editor;
}

/**
 * Wait until a node stops moving (the view animates when it fits the
 * pipeline).
 */
export async function waitStill(locator: Locator): Promise<void> {
  let last = '';
  await expect
    .poll(
      async () => {
        const box = JSON.stringify(await locator.boundingBox());
        const still = box === last;
        last = box;
        return still;
      },
      { intervals: [150] }
    )
    .toBe(true);
}

/** A step node by its title. */
export function stepNode(editor: Locator, title: string): Locator {
  return editor.locator('.react-flow__node', {
    has: editor.page().locator(`[data-step-title="${title}"]`)
  });
}

/** The state badge of a step. */
export function stepState(editor: Locator, title: string): Locator {
  return stepNode(editor, title).locator('.jp-OrchestStep-state');
}

/** Click a toolbar button of the editor by its command. */
export async function clickToolbar(editor: Locator, command: string): Promise<void> {
  await editor.locator(`.jp-Toolbar [data-command="${command}"]`).click();
}

/**
 * Drag a connection from the output handle of one step to the input handle
 * of another.
 */
export async function dragConnection(
  page: IJupyterLabPageFixture,
  editor: Locator,
  from: string,
  to: string
): Promise<void> {
  await waitStill(stepNode(editor, to));
  const source = stepNode(editor, from).locator('.react-flow__handle.source');
  const target = stepNode(editor, to).locator('.react-flow__handle.target');
  const a = (await source.boundingBox())!;
  const b = (await target.boundingBox())!;
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2 + 10, { steps: 5 });
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 5 });
  await page.mouse.up();
}

/** A file's text through the contents API (what is on disk). */
export async function readFile(request: APIRequestContext, baseURL: string, filePath: string): Promise<string> {
  const response = await request.get(
    `${baseURL}/api/contents/${filePath.split('/').map(encodeURIComponent).join('/')}?content=1&format=text&type=file`
  );
  expect(response.ok()).toBe(true);
  return (await response.json()).content;
}

/** Whether a file exists (contents API). */
export async function fileExists(request: APIRequestContext, baseURL: string, filePath: string): Promise<boolean> {
  const response = await request.get(
    `${baseURL}/api/contents/${filePath.split('/').map(encodeURIComponent).join('/')}?content=0`
  );
  return response.ok();
}

/** Run a JupyterLab command. */
export async function execute(page: IJupyterLabPageFixture, command: string, args: any = {}): Promise<void> {
  await page.evaluate(
    async ({ command, args }) => {
      await window.jupyterapp.commands.execute(command, args);
    },
    { command, args }
  );
}

/** The orchest-jlab REST API's URL of an endpoint. */
export function apiURL(baseURL: string, endpoint: string): string {
  return `${baseURL}/orchest/api/${endpoint}`;
}

/**
 * Start a run through the REST API and wait until it ends; returns it.
 */
export async function runToEnd(
  request: APIRequestContext,
  baseURL: string,
  body: { pipeline: string; interactive?: boolean; run_type?: string; steps?: string[] }
): Promise<any> {
  const created = await request.post(apiURL(baseURL, 'runs'), { data: body });
  expect(created.status(), await created.text()).toBe(201);
  const run = await created.json();
  let current: any = run;
  await expect
    .poll(
      async () => {
        current = await (await request.get(apiURL(baseURL, `runs/${run.uuid}`))).json();
        return current.status;
      },
      { timeout: 90000, intervals: [500] }
    )
    .toMatch(/SUCCESS|FAILURE|ABORTED/);
  return current;
}

/** The runs of a pipeline (REST), newest first. */
export async function pipelineRuns(request: APIRequestContext, baseURL: string, pipeline: string): Promise<any[]> {
  const response = await request.get(apiURL(baseURL, `runs?pipeline=${encodeURIComponent(pipeline)}`));
  expect(response.ok()).toBe(true);
  return (await response.json()).runs;
}

/** The interactive session's status in an editor's toolbar. */
export function sessionStatus(editor: Locator): Locator {
  return editor.locator('.jp-Toolbar .jp-OrchestSession');
}

/**
 * Fixture overrides for specs whose pages use orchest's sessions API:
 * Galata mocks every URL matching `/api/sessions` (JupyterLab's sessions),
 * which would catch `/orchest/api/sessions` too. `test.use(REAL_SESSIONS)`.
 */
export const REAL_SESSIONS: any = {
  sessions: async ({}, use: (value: null) => Promise<void>) => {
    await use(null);
  }
};

/** Click *Run all* in an editor and wait until the example's three steps are COMPUTED. */
export async function runAllInEditor(editor: Locator): Promise<void> {
  await clickToolbar(editor, 'orchest-jlab:run-all');
  for (const title of ['Make data', 'Transform', 'Report']) {
    await expect(stepState(editor, title)).toHaveAttribute('data-state', 'COMPUTED', { timeout: 90000 });
  }
}
