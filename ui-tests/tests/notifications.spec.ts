/**
 * A step's retries and timeout edited in the properties panel and saved in
 * the pipeline file; a webhook added from the notifications section of the
 * Orchest sidebar and tested against an HTTP server this test starts on
 * loopback, its delivery shown in the history.
 */
import { expect, test } from '@jupyterlab/galata';
import * as http from 'http';
import type { AddressInfo } from 'net';

import {
  copyExample,
  execute,
  MAKE,
  openPipeline,
  readFile,
  REAL_SESSIONS,
  removeExampleAfterEach,
  stepNode
} from './helpers';

test.use(REAL_SESSIONS);

test.describe('Retries and notifications', () => {
  let folder = '';
  test.beforeEach(async ({ page, tmpPath }) => {
    folder = await copyExample(page, tmpPath);
  });
  removeExampleAfterEach();

  test('edits a step’s retries and timeout and saves them in the file', async ({ page, request, baseURL }) => {
    const editor = await openPipeline(page, folder);
    await stepNode(editor, 'Make data').click();
    const props = editor.locator('.jp-OrchestProps');
    const field = (name: string) => props.locator(`input[name="orchest_jlab.${name}"]`);
    await field('retries').fill('2');
    await field('retries').press('Enter');
    await field('retry_delay').fill('1.5');
    await field('retry_delay').press('Enter');
    await field('timeout').fill('0');
    await field('timeout').press('Enter');
    await expect(props.locator('.jp-OrchestProps-retries .jp-OrchestProps-error')).toHaveText(
      'Timeout in seconds (empty: none) should be a number of seconds, more than 0.'
    );
    await field('timeout').fill('30');
    await field('timeout').press('Enter');
    await expect(props.locator('.jp-OrchestProps-retries .jp-OrchestProps-error')).toHaveCount(0);
    await execute(page, 'docmanager:save');
    await expect(page.locator('#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current')).not.toHaveClass(/jp-mod-dirty/);
    const saved = JSON.parse(await readFile(request, baseURL!, `${folder}/quickstart.orchest`));
    expect(saved.steps[MAKE].orchest_jlab).toEqual({ retries: 2, retry_delay: 1.5, timeout: 30 });
    // Emptying every field removes the key.
    for (const name of ['retries', 'retry_delay', 'timeout']) {
      await field(name).fill('');
      await field(name).press('Enter');
    }
    await execute(page, 'docmanager:save');
    await expect
      .poll(async () => 'orchest_jlab' in JSON.parse(await readFile(request, baseURL!, `${folder}/quickstart.orchest`)).steps[MAKE])
      .toBe(false);
  });

  test('adds a webhook, tests it and shows the delivery', async ({ page, baseURL }) => {
    const received: { event: string | undefined; body: string }[] = [];
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', chunk => (body += chunk));
      req.on('end', () => {
        received.push({ event: req.headers['x-orchest-event'] as string | undefined, body });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    try {
      await openPipeline(page, folder);
      await page.sidebar.openTab('orchest-jlab-sidebar');
      const section = page.locator('#orchest-jlab-sidebar .jp-OrchestNotifications');
      await expect(section.locator('.jp-OrchestSidebar-empty')).toContainText('No webhooks');
      await section.locator('[data-action="add-webhook"]').click();
      const dialog = page.locator('.jp-Dialog');
      await dialog.locator('input[name="url"]').fill(url);
      await dialog.locator('input[name="name"]').fill('ops channel');
      await dialog.locator('input[name="secret"]').fill('s3cret');
      await dialog.locator('input[name="event-job-failed"]').check();
      await dialog.locator('input[name="event-job-run-failed"]').check();
      await dialog.getByRole('button', { name: 'Add' }).click();
      const item = section.locator('.jp-OrchestWebhook', { hasText: 'ops channel' });
      await expect(item).toContainText('3 events');

      await item.locator('[data-action="test"]').click();
      await expect(page.locator('.jp-Dialog')).toContainText('The endpoint answered 200.');
      await page.locator('.jp-Dialog').getByRole('button', { name: 'OK' }).click();
      expect(received.map(r => r.event)).toEqual(['ping']);
      expect(JSON.parse(received[0].body).delivered_for.name).toBe('ops channel');

      await section.locator('[data-action="history"]').click();
      const delivery = section.locator('.jp-OrchestDelivery');
      await expect(delivery).toHaveCount(1);
      await expect(delivery).toHaveAttribute('data-status', 'DELIVERED');
      await expect(delivery).toContainText('Test');

      const project = encodeURIComponent(`${folder}/quickstart.orchest`);
      const listed = await (await page.request.get(`${baseURL}/orchest/api/notifications/webhooks?project=${project}`)).json();
      expect(listed.webhooks.map((w: any) => [w.name, w.has_secret, w.url])).toEqual([['ops channel', true, url]]);
      expect(JSON.stringify(listed)).not.toContain('s3cret');

      // Removed from the section (the project is the server's examples/: other tests share it).
      await item.locator('[data-action="delete"]').click();
      await page.locator('.jp-Dialog').getByRole('button', { name: 'Remove' }).click();
      await expect(section.locator('.jp-OrchestWebhook')).toHaveCount(0);
    } finally {
      server.close();
    }
  });

  test('tells of a run that ended while the user was elsewhere', async ({ page, baseURL }) => {
    // The pipeline is open, the user is on another tab (a launcher); a run started through the API ends.
    await openPipeline(page, folder);
    await execute(page, 'launcher:create');
    await expect(page.locator('#jp-main-dock-panel .jp-Launcher:visible')).toHaveCount(1);
    const response = await page.request.post(`${baseURL}/orchest/api/runs`, {
      data: { pipeline: `${folder}/quickstart.orchest`, run_type: 'selection', steps: [MAKE], interactive: false }
    });
    expect(response.status()).toBe(201);
    const toast = page.locator('.Toastify__toast', { hasText: 'The run of “Weather quickstart” ended: Succeeded' });
    await expect(toast).toBeVisible({ timeout: 60000 });
    await toast.getByRole('button', { name: 'Open' }).click();
    await expect(page.locator('#jp-main-dock-panel .jp-OrchestRunView:visible')).toHaveCount(1);
  });
});
