/**
 * Environment variables (the project's in the sidebar, the pipeline's in its
 * properties; masked) reaching a step, and parameter forms (a step's
 * `.schema.json` and `.uischema.json`) in the properties panel and in a job's
 * grid; the pipeline's (`<pipeline>.schema.json`) in its properties.
 */
import { expect, test } from '@jupyterlab/galata';

import {
  apiURL,
  copyExample,
  execute,
  MAKE,
  openPipeline,
  readFile,
  REAL_SESSIONS,
  removeExample,
  runToEnd,
  sessionStatus,
  stepNode
} from './helpers';

test.use(REAL_SESSIONS);

const SEEING = `import json, os
json.dump({k: os.environ.get(k) for k in ("REGION", "TOKEN")}, open("seen.json", "w"))
`;

const SCHEMA = {
  type: 'object',
  properties: {
    days: { type: 'integer', minimum: 1, maximum: 365, title: 'Days' },
    seed: { type: 'integer' }
  },
  required: ['days']
};
const UI_SCHEMA = {
  type: 'VerticalLayout',
  elements: [
    { type: 'Control', scope: '#/properties/seed', label: 'Random seed' },
    { type: 'Control', scope: '#/properties/days' }
  ]
};

test.describe('Environment variables and parameter forms', () => {
  let folder = '';
  let pipeline = '';
  test.afterEach(async ({ page, tmpPath, request, baseURL }) => {
    // The copies share the examples' project: leave its variables empty.
    await request.put(apiURL(baseURL!, `env-variables?pipeline=${encodeURIComponent(pipeline)}`), {
      data: { project: {}, pipeline: {} }
    });
    await removeExample(page, tmpPath);
  });

  test('project and pipeline variables are edited masked and reach a step', async ({
    page,
    tmpPath,
    request,
    baseURL
  }) => {
    folder = await copyExample(page, tmpPath, { 'make_data.py': SEEING });
    pipeline = `${folder}/quickstart.orchest`;
    const editor = await openPipeline(page, folder);

    // The project's, in the sidebar.
    await page.sidebar.openTab('orchest-jlab-sidebar');
    const section = page.locator('#orchest-jlab-sidebar .jp-OrchestEnvVariables-section');
    await section.getByText('Add a variable').click();
    await section.getByLabel('Name of variable 1').fill('REGION');
    await section.getByLabel('Value of variable 1').fill('north');
    await expect(section.getByLabel('Value of variable 1')).toHaveAttribute('type', 'password');
    await section.getByText('Add a variable').click();
    await section.getByLabel('Name of variable 2').fill('my-token');
    await section.getByLabel('Value of variable 2').fill('p-secret');
    // A bad name is named before anything is sent.
    await expect(section.locator('.jp-OrchestJobs-problem')).toContainText('"my-token" is not a variable name');
    await expect(section.locator('.jp-OrchestEnvVariables-save')).toBeDisabled();
    await section.getByLabel('Name of variable 2').fill('TOKEN');
    await section.locator('.jp-OrchestEnvVariables-save').click();
    await expect(section.locator('.jp-OrchestEnvVariables-note')).toContainText('Saved');

    // The pipeline's, in its properties (nothing selected), over the project's.
    const props = editor.locator('.jp-OrchestProps');
    const form = props.locator('.jp-OrchestEnvVariables[data-level="pipeline"]');
    await form.getByText('Add a variable').click();
    await form.getByLabel('Name of variable 1').fill('TOKEN');
    await form.getByLabel('Value of variable 1').fill('q-secret');
    await expect(form.getByLabel('Value of variable 1')).toHaveAttribute('type', 'password');
    await form.getByText('Show values').click();
    await expect(form.getByLabel('Value of variable 1')).toHaveAttribute('type', 'text');
    await form.locator('.jp-OrchestEnvVariables-save').click();
    await expect(form.locator('.jp-OrchestEnvVariables-note')).toContainText('Saved');

    const stored = await (
      await request.get(apiURL(baseURL!, `env-variables?pipeline=${encodeURIComponent(pipeline)}`))
    ).json();
    expect(stored.project).toEqual({ REGION: 'north', TOKEN: 'p-secret' });
    expect(stored.merged).toEqual({ REGION: 'north', TOKEN: 'q-secret' });

    await expect(sessionStatus(editor)).toHaveAttribute('data-status', 'RUNNING', { timeout: 180000 });
    const run = await runToEnd(request, baseURL!, { pipeline, run_type: 'selection', steps: [MAKE] });
    expect(run.status).toBe('SUCCESS');
    expect(JSON.parse(await readFile(request, baseURL!, `${folder}/seen.json`))).toEqual({
      REGION: 'north',
      TOKEN: 'q-secret'
    });
    expect(await readFile(request, baseURL!, pipeline)).not.toContain('secret');

    // Removing one.
    await section.getByTitle('Remove this variable').first().click();
    await section.locator('.jp-OrchestEnvVariables-save').click();
    await expect(section.locator('.jp-OrchestEnvVariables-note')).toContainText('Saved');
    await expect(section.getByLabel('Name of variable 1')).toHaveValue('TOKEN');
    await expect(section.getByLabel('Name of variable 2')).toHaveCount(0);
    const after = await request.get(apiURL(baseURL!, `env-variables?pipeline=${encodeURIComponent(pipeline)}`));
    expect((await after.json()).project).toEqual({ TOKEN: 'p-secret' });
  });

  test('a step parameter is edited through its schema’s form, in the properties and a job’s grid', async ({
    page,
    tmpPath,
    request,
    baseURL
  }) => {
    folder = await copyExample(page, tmpPath);
    pipeline = `${folder}/quickstart.orchest`;
    await page.contents.uploadContent(JSON.stringify(SCHEMA), 'text', `${folder}/make_data.py.schema.json`);
    await page.contents.uploadContent(JSON.stringify(UI_SCHEMA), 'text', `${folder}/make_data.py.uischema.json`);
    const editor = await openPipeline(page, folder);
    await stepNode(editor, 'Make data').click();
    const form = editor.locator('.jp-OrchestProps .jp-OrchestParamForm');
    await expect(form).toBeVisible();
    // The UI schema's order and label.
    await expect(form).toContainText(/Random seed[\s\S]*Days/);
    const days = form.locator('input[id$="_days"]');
    await expect(days).toHaveValue('30');
    // Out of the schema's range: said, and not written into the pipeline.
    await days.fill('0');
    await expect(form).toContainText('must be >= 1');
    await days.press('Tab');
    const json = editor.locator('.jp-OrchestProps textarea[name="parameters"]');
    await expect(json).toHaveValue(/"days": 30/);
    await days.fill('12');
    await days.press('Tab');
    await expect(json).toHaveValue(/"days": 12/);
    await execute(page, 'docmanager:save');
    await expect
      .poll(async () => JSON.parse(await readFile(request, baseURL!, pipeline)).steps[MAKE].parameters)
      .toEqual({ days: 12, seed: 42 });

    // The job's grid: each value of "days" through its form.
    await page.sidebar.openTab('orchest-jlab-sidebar');
    await page.locator('#orchest-jlab-sidebar .jp-OrchestJobs-new').click();
    const job = page.locator('.jp-OrchestJobs-form:visible');
    const axis = job.locator(`.jp-OrchestJobs-axis[data-owner="${MAKE}"][data-name="days"]`);
    const value = axis.locator('.jp-OrchestParamForm input').first();
    await expect(value).toHaveValue('12');
    await axis.getByText('Add a value').click();
    await axis.locator('.jp-OrchestParamForm input').nth(1).fill('20');
    await expect(job.locator('.jp-OrchestJobs-runCount')).toHaveText('2 runs');
    await axis.getByText('Edit as JSON list').click();
    await expect(axis.locator('textarea')).toHaveValue('[12,20]');
  });

  test('the pipeline’s parameters are edited through its schema’s form', async ({ page, tmpPath, request, baseURL }) => {
    folder = await copyExample(page, tmpPath);
    pipeline = `${folder}/quickstart.orchest`;
    const schema = {
      type: 'object',
      properties: { unit: { type: 'string', enum: ['celsius', 'fahrenheit'], title: 'Unit' } }
    };
    await page.contents.uploadContent(JSON.stringify(schema), 'text', `${pipeline}.schema.json`);
    const editor = await openPipeline(page, folder);
    // No step selected: the pipeline's properties, with its form.
    const form = editor.locator('.jp-OrchestProps .jp-OrchestParamForm');
    await expect(form).toContainText('Unit');
    const unit = form.locator('select[id$="_unit"]');
    await expect(unit.locator('option:checked')).toHaveText('celsius');
    await unit.selectOption({ label: 'fahrenheit' });
    // A choice goes into the pipeline at once (the table and its JSON show it).
    await expect(editor.getByRole('textbox', { name: 'Pipeline parameters (JSON)' })).toHaveValue(/"unit": "fahrenheit"/);
    await execute(page, 'docmanager:save');
    await expect
      .poll(async () => JSON.parse(await readFile(request, baseURL!, pipeline)).parameters)
      .toEqual({ unit: 'fahrenheit' });
  });
});
