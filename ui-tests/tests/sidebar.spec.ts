/**
 * The Orchest sidebar: one section per plugin that adds one (through the
 * IOrchestSidebar token), in the order of their ranks.
 */
import { expect, test } from '@jupyterlab/galata';

test.describe('Orchest sidebar', () => {
  test('shows the sections the plugins add, by rank', async ({ page }) => {
    await page.sidebar.openTab('orchest-jlab-sidebar');
    const sections = page.locator('#orchest-jlab-sidebar > [role="region"]');
    await expect(sections).toHaveCount(4);
    const titles = await sections.evaluateAll(nodes => nodes.map(node => node.getAttribute('aria-label')));
    expect(titles).toEqual(['Pipelines', 'Jobs', 'Runs', 'Environments']);
    await expect(page.locator('#orchest-jlab-sidebar-runs')).toContainText('Open a pipeline to see its runs.');
  });
});
