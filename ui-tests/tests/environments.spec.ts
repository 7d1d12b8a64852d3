/**
 * The environments panel (Orchest sidebar): create an environment, edit and
 * save its setup script, build it with a live log, delete it (refused while a
 * step uses it). Builds use Docker and the local base image
 * `orchest-jlab/base-py:bookworm` (Orchest's `orchest/base-kernel-py` is
 * aliased to it by default). `UPDATE_SCREENSHOTS=1` writes the panel's
 * screenshots, light and dark, to docs/screenshots/ (docs/environments.md shows them).
 */
import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import type { Locator } from '@playwright/test';
import * as fs from 'fs';
import * as path from 'path';

import { openPipeline, REAL_SESSIONS, stepNode } from './helpers';

// Galata's mock of JupyterLab's sessions would catch orchest's sessions API.
test.use(REAL_SESSIONS);

const SCREENSHOTS = process.env.UPDATE_SCREENSHOTS
  ? path.resolve(__dirname, '..', '..', 'docs', 'screenshots')
  : path.resolve(__dirname, '..', 'test-results', 'screenshots');

/** A pipeline with one step in the environment `environment`. */
function pipeline(name: string, title: string, environment: string): string {
  const step = '4f0c8a52-6b1e-4c3a-9d2f-7e5b1a0c9d01';
  return JSON.stringify(
    {
      name,
      parameters: {},
      services: {},
      settings: { auto_eviction: false, data_passing_memory_size: '1GB' },
      steps: {
        [step]: {
          environment,
          file_path: 'use.sh',
          incoming_connections: [],
          kernel: { display_name: 'Bash', name: 'bash' },
          meta_data: { hidden: false, position: [100, 100] },
          parameters: {},
          title,
          uuid: step
        }
      },
      uuid: name === 'Main' ? '9a1d3c5e-2b4f-4a6c-8e0d-1f3a5c7e9b01' : '9a1d3c5e-2b4f-4a6c-8e0d-1f3a5c7e9b02',
      version: '1.0.0'
    },
    null,
    4
  );
}

/** The server's root folder on disk (the tests run on the server's machine). */
async function serverRoot(page: IJupyterLabPageFixture): Promise<string> {
  return page.evaluate(
    () => JSON.parse(document.getElementById('jupyter-config-data')!.textContent!).serverRoot as string
  );
}

function environmentItem(section: Locator, name: string): Locator {
  return section.locator(`.jp-OrchestEnv[data-env-name="${name}"]`);
}

test.describe('Environments panel', () => {
  let root = '';
  test.afterEach(async ({ tmpPath, request, baseURL }) => {
    if (!root) {
      return;
    }
    // Environments a failed test left: deleted through the API (which removes
    // their images) once no pipeline uses them.
    const project = path.join(root, tmpPath, 'weather');
    for (const name of fs.existsSync(project) ? fs.readdirSync(project) : []) {
      if (name.endsWith('.orchest') && fs.statSync(path.join(project, name)).isFile()) {
        fs.rmSync(path.join(project, name));
      }
    }
    const api = `${baseURL}/orchest/api/environments`;
    const query = `project=${encodeURIComponent(`${tmpPath}/weather`)}`;
    const listed = await request.get(`${api}?${query}`);
    for (const env of listed.ok() ? (await listed.json()).environments : []) {
      await request.delete(`${api}/${env.uuid}/build?${query}`);
      await request.delete(`${api}/${env.uuid}?${query}`);
    }
    // The contents API does not see .orchest/: remove the project on disk.
    fs.rmSync(path.join(root, tmpPath), { recursive: true, force: true });
  });

  test('creates, edits, builds and deletes an environment', async ({ page, tmpPath }) => {
    test.setTimeout(300 * 1000);
    root = await serverRoot(page);
    // The project: the pipeline's folder (no .orchest/ above it).
    const project = `${tmpPath}/weather`;
    expect(fs.existsSync(root)).toBe(true);
    await page.contents.uploadContent('echo "using the environment"\n', 'text', `${project}/use.sh`);
    // The step's environment is not defined yet, and opening writes nothing: the panel offers the default one.
    await page.contents.uploadContent(pipeline('Main', 'Main step', ''), 'text', `${project}/main.orchest`);
    const pipelineEditor = await openPipeline(page, project, 'main.orchest');

    await page.sidebar.openTab('orchest-jlab-sidebar');
    const section = page.locator('#orchest-jlab-sidebar .jp-OrchestEnvironments');
    await expect(section).toHaveAttribute('data-project', project);
    await section.locator('[data-action="create-default"]').click();
    await expect(environmentItem(section, 'Python 3')).toBeVisible();

    // Create.
    await section.locator('[data-action="create"]').click();
    const dialog = page.locator('.jp-Dialog');
    await dialog.locator('input[name="name"]').fill('Shell tools');
    await expect(dialog.locator('input[name="base_image"]')).toHaveValue('orchest/base-kernel-py');
    await dialog.locator('input[name="network"]').check();
    await dialog.locator('.jp-mod-accept').click();
    const item = environmentItem(section, 'Shell tools');
    await expect(item).toBeVisible();
    await expect(item).toContainText('Python');
    await expect(item).toContainText('orchest/base-kernel-py');
    await expect(item).toHaveAttribute('data-status', 'NONE');
    const uuid = (await item.getAttribute('data-env-uuid'))!;
    const folder = path.join(root, project, '.orchest', 'environments', uuid);
    const properties = JSON.parse(fs.readFileSync(path.join(folder, 'properties.json'), 'utf-8'));
    expect(properties).toMatchObject({ name: 'Shell tools', base_image: 'orchest/base-kernel-py' });
    // Our own setting lives beside it, where Orchest's loader never looks.
    expect(properties).not.toHaveProperty('network');
    const settings = JSON.parse(fs.readFileSync(path.join(folder, 'orchest-jlab.json'), 'utf-8'));
    expect(settings).toEqual({ network: true });

    // The step properties' environment picker lists it at once.
    await page.locator('#jp-main-dock-panel .lm-TabBar-tab', { hasText: 'main.orchest' }).click();
    await stepNode(pipelineEditor, 'Main step').click();
    await expect(
      pipelineEditor.locator('.jp-OrchestProps select[name="environment"] option', { hasText: 'Shell tools' })
    ).toHaveCount(1);

    // Edit its properties (a PATCH of the changed fields).
    await item.locator('[data-action="edit"]').click();
    await expect(dialog.locator('input[name="name"]')).toHaveValue('Shell tools');
    await expect(dialog.locator('input[name="network"]')).toBeChecked();
    await dialog.locator('input[name="gpu_support"]').check();
    await dialog.locator('.jp-mod-accept').click();
    await expect
      .poll(() => JSON.parse(fs.readFileSync(path.join(folder, 'properties.json'), 'utf-8')).gpu_support)
      .toBe(true);

    // Edit the setup script in a code editor.
    await item.locator('[data-action="script"]').click();
    const editor = page.locator('#jp-main-dock-panel .jp-OrchestSetupScript:visible');
    await expect(editor).toHaveCount(1);
    const tab = page.locator('#jp-main-dock-panel .lm-TabBar-tab', { hasText: 'Setup script · Shell tools' });
    await expect(tab).not.toHaveClass(/jp-mod-dirty/);
    await editor.locator('.cm-line').first().click();
    await page.keyboard.press('Control+a');
    await page.keyboard.type('echo hello');
    await expect(tab).toHaveClass(/jp-mod-dirty/);
    // Shell highlighting: `echo` is a builtin.
    await expect(editor.locator('.cm-line span').first()).toBeVisible();
    await page.keyboard.press('Control+s');
    await expect(tab).not.toHaveClass(/jp-mod-dirty/);
    expect(fs.readFileSync(path.join(folder, 'setup_script.sh'), 'utf-8')).toBe('echo hello');

    // Build, with the log live in the main area.
    await item.locator('[data-action="build"]').click();
    const log = page.locator('#jp-main-dock-panel .jp-OrchestBuildLog:visible');
    await expect(log).toHaveCount(1);
    await expect(log.locator('.jp-OrchestBuildLog-status')).toHaveAttribute('data-status', /PENDING|BUILDING/);
    await expect(item).toHaveAttribute('data-status', /PENDING|BUILDING/);
    await expect(log.locator('.jp-OrchestBuildLog-text')).toContainText('hello', { timeout: 180 * 1000 });
    await expect(log.locator('.jp-OrchestBuildLog-status')).toHaveAttribute('data-status', 'SUCCESS', {
      timeout: 180 * 1000
    });
    await expect(item).toHaveAttribute('data-status', 'SUCCESS');
    await expect(item.locator('.jp-OrchestEnv-status')).toHaveText('Built');
    await page.mouse.move(0, 0);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'environments.png') });
    await page.theme.setDarkTheme();
    await expect(page.locator('body')).toHaveAttribute('data-jp-theme-light', 'false');
    await page.mouse.move(0, 0);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'environments-dark.png') });
    await page.theme.setLightTheme();

    // A slow build, cancelled from the log view.
    await tab.click();
    await editor.locator('.cm-line').first().click();
    await page.keyboard.press('Control+a');
    await page.keyboard.type('echo slow; sleep 120');
    await page.keyboard.press('Control+s');
    await expect(tab).not.toHaveClass(/jp-mod-dirty/);
    // The image no longer matches its setup script.
    await expect(item.locator('.jp-OrchestEnv-status')).toHaveText('Needs a rebuild (changed since built)');
    await page.locator('#jp-main-dock-panel .lm-TabBar-tab', { hasText: 'Build log · Shell tools' }).click();
    await log.locator('button[name="build"]').click();
    await expect(log.locator('.jp-OrchestBuildLog-text')).toContainText('slow', { timeout: 120 * 1000 });
    await expect(log.locator('.jp-OrchestBuildLog-text')).not.toContainText('hello');
    await expect(item).toHaveAttribute('data-status', 'BUILDING');
    await log.locator('button[name="cancel"]').click();
    await expect(log.locator('.jp-OrchestBuildLog-status')).toHaveAttribute('data-status', 'ABORTED', {
      timeout: 60 * 1000
    });
    await expect(item).toHaveAttribute('data-status', 'ABORTED');
    await expect(item.locator('.jp-OrchestEnv-status')).toHaveText('Build cancelled');

    // Closing unsaved changes asks first; discarded, they are not saved.
    await tab.click();
    await editor.locator('.cm-line').first().click();
    await page.keyboard.press('End');
    await page.keyboard.type(' # draft');
    await expect(tab).toHaveClass(/jp-mod-dirty/);
    await tab.locator('.lm-TabBar-tabCloseIcon').click();
    await expect(page.locator('.jp-Dialog')).toContainText('The setup script of “Shell tools” has unsaved changes.');
    await page.locator('.jp-Dialog .jp-mod-reject').click();
    await expect(tab).toHaveClass(/jp-mod-dirty/);
    await tab.locator('.lm-TabBar-tabCloseIcon').click();
    await page.locator('.jp-Dialog .jp-mod-warn').click();
    await expect(tab).toHaveCount(0);
    expect(fs.readFileSync(path.join(folder, 'setup_script.sh'), 'utf-8')).toBe('echo slow; sleep 120');
    await item.locator('[data-action="script"]').click();
    await expect(editor.locator('.cm-content')).toHaveText('echo slow; sleep 120');

    // A step of another pipeline uses it: the server refuses, saying which.
    await page.contents.uploadContent(pipeline('Other', 'Needs tools', uuid), 'text', `${project}/other.orchest`);
    await item.locator('[data-action="delete"]').click();
    await page.locator('.jp-Dialog .jp-mod-warn').click();
    const refusal = page.locator('.jp-Dialog');
    await expect(refusal).toContainText('The environment “Shell tools” cannot be deleted');
    await expect(refusal).toContainText(
      'The environment "Shell tools" is in use by step "Needs tools" of pipeline other.orchest'
    );
    await refusal.locator('.jp-mod-accept').click();
    await expect(item).toBeVisible();
    expect(fs.existsSync(folder)).toBe(true);

    // Once no step uses it, it is deleted (its image too), and its views close.
    await page.contents.deleteFile(`${project}/other.orchest`);
    await item.locator('[data-action="delete"]').click();
    await page.locator('.jp-Dialog .jp-mod-warn').click();
    await expect(item).toHaveCount(0);
    expect(fs.existsSync(folder)).toBe(false);
    await expect(log).toHaveCount(0);
    await expect(editor).toHaveCount(0);
    await expect(environmentItem(section, 'Python 3')).toBeVisible();
  });
  test('lists the environments of a chosen project folder', async ({ page, tmpPath }) => {
    root = await serverRoot(page);
    await page.contents.uploadContent('notes\n', 'text', `${tmpPath}/weather/readme.txt`);
    await page.sidebar.openTab('orchest-jlab-sidebar');
    const section = page.locator('#orchest-jlab-sidebar .jp-OrchestEnvironments');
    // No pipeline editor is open.
    await expect(section.locator('.jp-OrchestSidebar-empty')).toContainText('Open a pipeline, or choose a project folder');
    await section.locator('[data-action="choose-project"]').click();
    const dialog = page.locator('.jp-Dialog');
    await dialog.locator('.jp-DirListing-item', { hasText: tmpPath }).dblclick();
    await dialog.locator('.jp-DirListing-item', { hasText: 'weather' }).click();
    await dialog.locator('.jp-mod-accept').click();
    await expect(section).toHaveAttribute('data-project', `${tmpPath}/weather`);
    await expect(section.locator('.jp-OrchestEnv-project')).toContainText('weather');
    // Looking writes nothing; a project without environments gets the default one when asked.
    await expect(section.locator('.jp-OrchestSidebar-empty')).toContainText('This project has no environments yet');
    expect(fs.existsSync(path.join(root, tmpPath, 'weather', '.orchest'))).toBe(false);
    await section.locator('[data-action="create-default"]').click();
    await expect(environmentItem(section, 'Python 3')).toBeVisible();
    expect(fs.readdirSync(path.join(root, tmpPath, 'weather', '.orchest', 'environments'))).toHaveLength(1);
    await section.locator('[data-action="follow-editor"]').click();
    await expect(section.locator('.jp-OrchestEnv')).toHaveCount(0);
    await expect(section.locator('.jp-OrchestSidebar-empty')).toBeVisible();
  });
});
