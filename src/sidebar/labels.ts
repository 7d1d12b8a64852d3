/**
 * How the sidebar tells pipelines apart: by name, and where names repeat,
 * by folder (or by file, when the folder repeats too). Pure: jest-tested.
 */

export interface IPipelineLabel {
  /** The pipeline's name (its file's stem when it has none). */
  name: string;
  /** What tells it from pipelines of the same name; null when none shares it. */
  where: string | null;
}

function dirname(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}

function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/**
 * Labels by path. `root` names the server's root folder (a pipeline there
 * has no folder).
 */
export function pipelineLabels(
  pipelines: ReadonlyArray<{ path: string; name: string }>,
  root = '/'
): Map<string, IPipelineLabel> {
  const named = pipelines.map(p => ({ path: p.path, name: p.name.trim() || basename(p.path).replace(/\.orchest$/, '') }));
  const byName = new Map<string, string[]>();
  for (const p of named) {
    byName.set(p.name, [...(byName.get(p.name) ?? []), p.path]);
  }
  const labels = new Map<string, IPipelineLabel>();
  for (const p of named) {
    const same = byName.get(p.name)!;
    if (same.length === 1) {
      labels.set(p.path, { name: p.name, where: null });
      continue;
    }
    const folder = dirname(p.path);
    const folderRepeats = same.filter(other => dirname(other) === folder).length > 1;
    labels.set(p.path, { name: p.name, where: folderRepeats ? p.path : folder || root });
  }
  return labels;
}
