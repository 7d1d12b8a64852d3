import { expect, test } from '@jupyterlab/galata';

import { REAL_SESSIONS } from './helpers';

// Galata's mock of JupyterLab's sessions would catch orchest's sessions API.
test.use(REAL_SESSIONS);

/**
 * A minimal Orchest pipeline definition (schema version 1.0.0) with two
 * connected steps.
 */
const PIPELINE = {
  name: 'ui-test pipeline',
  uuid: '0f2c6b66-4b5e-4f5a-9c1c-2f4b1d0e6a01',
  version: '1.0.0',
  settings: {
    auto_eviction: false,
    data_passing_memory_size: '1GB'
  },
  parameters: {},
  services: {},
  steps: {
    'a3b1c2d4-0000-4000-8000-000000000001': {
      uuid: 'a3b1c2d4-0000-4000-8000-000000000001',
      title: 'load',
      file_path: 'load.py',
      incoming_connections: [],
      environment: '',
      parameters: {},
      kernel: { name: 'python', display_name: 'Python 3' },
      meta_data: { hidden: false, position: [100, 100] }
    },
    'a3b1c2d4-0000-4000-8000-000000000002': {
      uuid: 'a3b1c2d4-0000-4000-8000-000000000002',
      title: 'train',
      file_path: 'train.py',
      incoming_connections: ['a3b1c2d4-0000-4000-8000-000000000001'],
      environment: '',
      parameters: {},
      kernel: { name: 'python', display_name: 'Python 3' },
      meta_data: { hidden: false, position: [300, 100] }
    }
  }
};

const FILE_NAME = 'demo.orchest';

test.describe('Orchest pipeline file type', () => {
  test.beforeEach(async ({ page, tmpPath }) => {
    await page.contents.uploadContent(
      JSON.stringify(PIPELINE, null, 2),
      'text',
      `${tmpPath}/${FILE_NAME}`
    );
    await page.filebrowser.openDirectory(tmpPath);
  });

  test('the extension is active', async ({ page }) => {
    const plugins = [
      'orchest-jlab:client',
      'orchest-jlab:editor',
      'orchest-jlab:commands',
      'orchest-jlab:sidebar',
      'orchest-jlab:jobs',
      'orchest-jlab:environments',
      'orchest-jlab:notebooks',
      'orchest-jlab:running'
    ];
    const active = await page.evaluate(
      ids => ids.filter(id => window.jupyterapp.isPluginActivated(id)),
      plugins
    );
    expect(active).toEqual(plugins);
  });

  test('the file browser shows .orchest files with the pipeline icon', async ({
    page
  }) => {
    const item = page.locator('.jp-DirListing-item', {
      has: page.locator('.jp-DirListing-itemText', { hasText: FILE_NAME })
    });
    await expect(item).toHaveCount(1);
    await expect(item).toHaveAttribute('data-file-type', 'orchest-pipeline');
    await expect(
      item.locator(
        '.jp-DirListing-itemIcon svg[data-icon="orchest-jlab:pipeline"]'
      )
    ).toHaveCount(1);
  });

  test('double-click opens a .orchest file in the pipeline editor', async ({ page }) => {
    const item = page.locator(
      '.jp-DirListing-item[data-file-type="orchest-pipeline"]',
      { hasText: FILE_NAME }
    );
    await item.dblclick();

    const tab = page.locator('#jp-main-dock-panel .lm-TabBar-tab', {
      hasText: FILE_NAME
    });
    await expect(tab).toHaveCount(1);
    await expect(tab).toHaveClass(/lm-mod-current/);
    const editor = page.locator('#jp-main-dock-panel .jp-OrchestEditorWidget:visible');
    await expect(editor.locator('.react-flow__node')).toHaveCount(2);
    await expect(editor.locator('[data-step-title="train"]')).toBeVisible();
  });

  test('Open With, Editor shows a .orchest file as JSON text', async ({ page, tmpPath }) => {
    await page.evaluate(
      async path => {
        await window.jupyterapp.commands.execute('docmanager:open', { path, factory: 'Editor' });
      },
      `${tmpPath}/${FILE_NAME}`
    );
    const editor = page.locator('#jp-main-dock-panel .jp-FileEditor:visible');
    await expect(editor).toHaveCount(1);
    const content = editor.locator('.cm-content');
    await expect(content).toContainText('"name": "ui-test pipeline"');
    // Highlighted with CodeMirror's JSON language.
    await expect(content).toHaveAttribute('data-language', 'json');
  });

  test('the context menu offers both editors under Open With', async ({ page }) => {
    const item = page.locator(
      '.jp-DirListing-item[data-file-type="orchest-pipeline"]',
      { hasText: FILE_NAME }
    );
    await item.click({ button: 'right' });
    await page.locator('.lm-Menu-item', { hasText: 'Open With' }).hover();
    const submenu = page.locator('.lm-Menu').last();
    await expect(submenu.locator('.lm-Menu-item', { hasText: 'Pipeline Editor' })).toHaveCount(1);
    await expect(submenu.locator('.lm-Menu-item', { hasText: /^Editor$/ })).toHaveCount(1);
  });
});
