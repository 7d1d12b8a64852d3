import { expect, test } from '@jupyterlab/galata';
import type { Locator } from '@playwright/test';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

import {
  apiURL,
  copyExample,
  EXAMPLES,
  execute,
  openExample,
  openPipeline,
  readFile,
  REAL_SESSIONS,
  removeExampleAfterEach,
  sessionStatus
} from './helpers';

// Galata's mock of JupyterLab's sessions would catch orchest's sessions API.
test.use(REAL_SESSIONS);

const ENVIRONMENT = '8c5ff0a9-6a39-4d1c-9a36-0a4b6f1f3c11';

/** The example pipeline with services. */
function withServices(services: object): string {
  const doc = JSON.parse(fs.readFileSync(path.join(EXAMPLES, 'quickstart.orchest'), 'utf-8'));
  return JSON.stringify({ ...doc, uuid: crypto.randomUUID(), services }, null, 4) + '\n';
}

/** The services section of the editor's properties (nothing selected: the pipeline's). */
function servicesSection(editor: Locator): Locator {
  return editor.locator('.jp-OrchestProps .jp-OrchestServices');
}

/** The field of a form by its input's name, and its problem. */
function problemOf(form: Locator, name: string): Locator {
  return form.locator('.jp-OrchestField', { has: form.page().locator(`[name="${name}"]`) }).locator('.jp-OrchestField-problem');
}

async function addService(section: Locator, fields: { name: string; image: string; ports: string }): Promise<void> {
  await section.getByRole('button', { name: 'Add service' }).click();
  const form = section.locator('.jp-OrchestServices-new');
  await form.locator('input[name="service-name"]').fill(fields.name);
  await form.locator('input[name="service-image"]').fill(fields.image);
  await form.locator('input[name="service-ports"]').fill(fields.ports);
  await form.getByRole('button', { name: 'Add', exact: true }).click();
  await expect(section.locator(`[data-service="${fields.name}"]`)).toBeVisible();
}

test.describe('Services in the pipeline properties', () => {
  removeExampleAfterEach();

  test('adds, edits, moves and removes services; the file has them in Orchest’s shape', async ({
    page,
    tmpPath,
    request,
    baseURL
  }) => {
    const { folder, editor } = await openExample(page, tmpPath);
    const section = servicesSection(editor);

    await section.getByRole('button', { name: 'Add service' }).click();
    const form = section.locator('.jp-OrchestServices-new');
    await expect(form.locator('input[name="service-name"]')).toHaveValue('my-service');
    await form.locator('input[name="service-name"]').fill('web');
    // An environment of the project as the image.
    await form.locator('select[name="service-image-source"]').selectOption(`environment@${ENVIRONMENT}`);
    await expect(form.locator('input[name="service-image"]')).toHaveCount(0);
    await form.locator('input[name="service-command"]').fill('python3');
    await form.locator('input[name="service-args"]').fill('-m http.server 8000');
    await form.locator('input[name="service-ports"]').fill('8000');
    await form.locator('input[name="service-data-dir"]').fill('/data');
    await form.getByRole('button', { name: 'Add a variable' }).click();
    await form.locator('input[name="service-env-name-0"]').fill('GREETING');
    await form.locator('input[name="service-env-value-0"]').fill('hello');
    await form.locator('input[name="service-inherit"]').fill('API_KEY');
    await form.locator('input[name="service-scope-noninteractive"]').uncheck();
    await form.getByRole('button', { name: 'Add', exact: true }).click();
    const web = section.locator('[data-service="web"]');
    await expect(web.locator('.jp-OrchestServices-image')).toHaveText('Environment: Python 3');

    await addService(section, { name: 'cache', image: 'redis:7', ports: '6379' });
    await addService(section, { name: 'scratch', image: 'busybox', ports: '' });
    await expect(section.locator('.jp-OrchestServices-item')).toHaveCount(3);

    // Edit: more ports for web (written when the field commits).
    await web.getByTitle('Edit the service').click();
    await web.locator('input[name="service-ports"]').fill('8000, 8001');
    await web.locator('input[name="service-ports"]').press('Enter');
    // Start cache first, remove scratch.
    await section.locator('[data-service="cache"]').getByTitle('Start earlier').click();
    await section.locator('[data-service="scratch"]').getByTitle('Remove the service scratch').click();
    await expect(section.locator('.jp-OrchestServices-name')).toHaveText(['cache', 'web']);

    await execute(page, 'docmanager:save');
    await expect(page.locator('#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current')).not.toHaveClass(/jp-mod-dirty/);
    const text = await readFile(request, baseURL!, `${folder}/quickstart.orchest`);
    expect(JSON.parse(text).services).toEqual({
      cache: {
        exposed: true,
        image: 'redis:7',
        name: 'cache',
        order: 0,
        ports: [6379],
        requires_authentication: true,
        scope: ['interactive', 'noninteractive']
      },
      web: {
        args: '-m http.server 8000',
        binds: { '/data': '/data' },
        command: 'python3',
        env_variables: { GREETING: 'hello' },
        env_variables_inherit: ['API_KEY'],
        exposed: true,
        image: `environment@${ENVIRONMENT}`,
        name: 'web',
        order: 1,
        ports: [8000, 8001],
        requires_authentication: true,
        scope: ['interactive']
      }
    });
    // Written as Orchest writes its files: sorted keys, 4 spaces.
    expect(text).toContain('    "services": {\n        "cache": {\n            "exposed": true,\n            "image": "redis:7",');
  });

  test('shows what is wrong as the user types, and writes nothing invalid', async ({ page, tmpPath, request, baseURL }) => {
    const folder = await copyExample(page, tmpPath, {
      'quickstart.orchest': withServices({
        db: { name: 'db', image: 'postgres', scope: ['interactive'], ports: [5432], order: 0 }
      })
    });
    const editor = await openPipeline(page, folder);
    const section = servicesSection(editor);
    const db = section.locator('[data-service="db"]');
    await db.getByTitle('Edit the service').click();
    const name = db.locator('input[name="service-name"]');
    await name.fill('DB_1');
    await expect(problemOf(db, 'service-name')).toContainText('lower-case letter');
    await name.press('Enter');
    const ports = db.locator('input[name="service-ports"]');
    await ports.fill('5432, 70000');
    await expect(problemOf(db, 'service-ports')).toHaveText('Port “70000” is not a whole number from 1 to 65535.');
    await ports.blur();
    await db.locator('input[name="service-project-dir"]').fill('srv');
    await expect(problemOf(db, 'service-project-dir')).toContainText('must be absolute');
    await db.locator('input[name="service-scope-interactive"]').uncheck();
    await expect(problemOf(db, 'service-scope-interactive')).toContainText('Choose when the service runs');
    // Nothing was written: the document is unchanged.
    await expect(page.locator('#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current')).not.toHaveClass(/jp-mod-dirty/);

    // A new service may not take a name in use.
    await section.getByRole('button', { name: 'Add service' }).click();
    const form = section.locator('.jp-OrchestServices-new');
    await form.locator('input[name="service-name"]').fill('db');
    await form.locator('input[name="service-image"]').fill('Not An Image');
    await expect(problemOf(form, 'service-name')).toHaveText('Another service is named db.');
    await expect(problemOf(form, 'service-image')).toContainText('is not an image name');
    await expect(form.getByRole('button', { name: 'Add', exact: true })).toBeDisabled();
    await form.getByRole('button', { name: 'Cancel' }).click();

    // Fixed, it is written (the rename moves its key).
    await name.fill('db2');
    await ports.fill('5432');
    await db.locator('input[name="service-project-dir"]').fill('/srv');
    await section.locator('input[name="service-scope-interactive"]').check();
    await expect(section.locator('.jp-OrchestField-problem')).toHaveCount(0);
    await execute(page, 'docmanager:save');
    const saved = JSON.parse(await readFile(request, baseURL!, `${folder}/quickstart.orchest`));
    expect(saved.services).toEqual({
      db2: {
        binds: { '/project-dir': '/srv' },
        exposed: false,
        image: 'postgres',
        name: 'db2',
        order: 0,
        ports: [5432],
        requires_authentication: true,
        scope: ['interactive']
      }
    });
  });

  test('a service of the session: its status live, its URL in a tab, its log', async ({ page, tmpPath }) => {
    test.setTimeout(300000);
    const folder = await copyExample(page, tmpPath, {
      'quickstart.orchest': withServices({
        web: {
          name: 'web',
          image: `environment@${ENVIRONMENT}`,
          command: 'python3',
          args: '-m http.server 8000 --directory /srv/project',
          binds: { '/project-dir': '/srv/project' },
          ports: [8000],
          scope: ['interactive'],
          order: 0,
          exposed: true,
          requires_authentication: true
        }
      })
    });
    const editor = await openPipeline(page, folder);
    const status = sessionStatus(editor);
    await expect(status).toHaveAttribute('data-status', /RUNNING|FAILURE/, { timeout: 240000 });
    const failed = (await status.getAttribute('data-status')) === 'FAILURE';
    // CI has Docker: there the service must run.
    test.skip(failed && !process.env.CI, 'Services need a Docker engine, and none answers the server here');
    const web = servicesSection(editor).locator('[data-service="web"]');
    await expect(web.locator('.jp-OrchestServices-status')).toHaveText('Running');

    // Its URL through the Jupyter server, in a tab.
    await web.getByRole('button', { name: 'Open :8000' }).click();
    const frame = page.locator('#jp-main-dock-panel .jp-OrchestServices-frame:visible');
    await expect(frame).toHaveCount(1);
    await expect(page.locator('#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current')).toContainText('web:8000');
    await expect(page.frameLocator('.jp-OrchestServices-frame:visible iframe').locator('body')).toContainText(
      'Directory listing for /'
    );

    // Its log, live: the request the tab made is in it.
    await page.locator('#jp-main-dock-panel .lm-TabBar-tab', { hasText: 'quickstart.orchest' }).click();
    await web.getByRole('button', { name: 'Log' }).click();
    const log = page.locator('#jp-main-dock-panel .jp-OrchestServices-logView:visible');
    await expect(log).toContainText('"GET / HTTP/1.1" 200');

    // Stopped with the session.
    await page.locator('#jp-main-dock-panel .lm-TabBar-tab', { hasText: 'quickstart.orchest' }).click();
    await execute(page, 'orchest-jlab:stop-session');
    await expect(status).toHaveAttribute('data-status', 'STOPPED', { timeout: 60000 });
    await expect(web.locator('.jp-OrchestServices-status')).toHaveCount(0);
  });

  test('a run’s services in its read-only view: their status and log', async ({ page, tmpPath, request, baseURL }) => {
    test.setTimeout(300000);
    const folder = await copyExample(page, tmpPath, {
      'quickstart.orchest': withServices({
        web: {
          name: 'web',
          image: `environment@${ENVIRONMENT}`,
          command: 'python3',
          args: '-u -m http.server 8000',
          ports: [8000],
          scope: ['noninteractive'],
          order: 0,
          exposed: true,
          requires_authentication: true
        }
      })
    });
    const created = await request.post(apiURL(baseURL!, 'runs'), {
      data: { pipeline: `${folder}/quickstart.orchest`, interactive: false }
    });
    const answer = await created.text();
    // CI has Docker: there the run must start its service.
    test.skip(created.status() === 400 && /Docker/.test(answer) && !process.env.CI, 'Services need a Docker engine');
    expect(created.status(), answer).toBe(201);
    const run = JSON.parse(answer);
    await expect
      .poll(async () => (await (await request.get(apiURL(baseURL!, `runs/${run.uuid}`))).json()).status, {
        timeout: 240000,
        intervals: [1000]
      })
      .toBe('SUCCESS');

    await execute(page, 'orchest-jlab:open-run', { runUuid: run.uuid });
    const view = page.locator('#jp-main-dock-panel .jp-OrchestRunView:visible');
    // A run view opens with its properties closed.
    await execute(page, 'orchest-jlab:toggle-properties');
    const section = servicesSection(view);
    const web = section.locator('[data-service="web"]');
    await expect(web.locator('.jp-OrchestServices-status')).toHaveText('Stopped');
    // Read-only: nothing to add, move or remove; the form is disabled.
    await expect(section.getByRole('button', { name: 'Add service' })).toHaveCount(0);
    await expect(web.getByTitle('Remove the service web')).toHaveCount(0);
    await web.getByTitle('Edit the service').click();
    await expect(web.locator('input[name="service-name"]')).toBeDisabled();
    await web.getByRole('button', { name: 'Log' }).click();
    await expect(page.locator('#jp-main-dock-panel .jp-OrchestServices-logView:visible')).toContainText(
      'Serving HTTP on'
    );
  });
});
