/**
 * A step's notebook and its environment's kernel `orchest-kernel-<uuid>`:
 * which kernelspec a notebook should name, new step notebooks, and making an
 * open (or closed) notebook use that kernel.
 *
 * JupyterLab starts a notebook's kernel from the notebook's own
 * `metadata.kernelspec` (a `kernel` passed to `docmanager:open` is replaced by
 * it), so the kernel a step should have is written into the notebook.
 */

import type { ISessionContext } from '@jupyterlab/apputils';
import { Contents, KernelSpec } from '@jupyterlab/services';

/** What a notebook's `metadata.kernelspec` holds. */
export interface IKernelspecRef {
  name: string;
  display_name: string;
  language: string;
}

/** The kernel of step notebooks when environment kernels are not served. */
export const HOST_KERNELSPEC: IKernelspecRef = {
  name: 'python3',
  display_name: 'Python 3 (ipykernel)',
  language: 'python'
};

/** The name of an environment's kernel. */
export function environmentKernelName(environmentUuid: string): string {
  return `orchest-kernel-${environmentUuid}`;
}

/**
 * The kernelspec of an environment's notebooks: `orchest-kernel-<uuid>` when
 * the server serves it (Docker, environment kernels on), else null (a host
 * kernel, with `import orchest` on its path).
 */
export function environmentKernelspec(
  environmentUuid: string | null | undefined,
  specs: KernelSpec.ISpecModels | null | undefined
): IKernelspecRef | null {
  if (!environmentUuid) {
    return null;
  }
  const name = environmentKernelName(environmentUuid);
  const spec = specs?.kernelspecs?.[name];
  return spec ? { name, display_name: spec.display_name, language: spec.language } : null;
}

/**
 * `environmentKernelspec` from the page's kernelspecs, read again once when
 * they do not have it (an environment made since they were read).
 */
export async function stepKernelspec(
  environmentUuid: string | null | undefined,
  kernelspecs: KernelSpec.IManager | null
): Promise<IKernelspecRef | null> {
  if (!environmentUuid || !kernelspecs) {
    return null;
  }
  await kernelspecs.ready;
  const found = environmentKernelspec(environmentUuid, kernelspecs.specs);
  if (found) {
    return found;
  }
  await kernelspecs.refreshSpecs();
  return environmentKernelspec(environmentUuid, kernelspecs.specs);
}

/**
 * The kernel languages that run an environment language's notebooks (what the
 * engine accepts: Deno's kernel says "typescript"), the first being what a
 * notebook of that language says when no kernel is known (the engine's
 * environment kernels say it too: orchest_jlab/kernels/specs.py).
 */
const KERNEL_LANGUAGES: { [language: string]: string[] } = {
  python: ['python'],
  r: ['R'],
  javascript: ['javascript', 'typescript'],
  julia: ['julia']
};

/** How an environment language is shown when no kernel of it is installed. */
const LANGUAGE_TITLES: { [language: string]: string } = {
  python: 'Python',
  r: 'R',
  javascript: 'JavaScript',
  julia: 'Julia'
};

/** The kernel languages of an environment language (lower case). */
function kernelLanguages(language: string): string[] {
  return KERNEL_LANGUAGES[language.toLowerCase()] ?? [language.toLowerCase()];
}

/**
 * An installed host kernel of an environment language, or null: the default
 * kernelspec when it is one, else by kernel language (JavaScript before
 * TypeScript), then name. Other environments' kernels are never chosen.
 */
export function hostKernelspec(
  language: string,
  specs: KernelSpec.ISpecModels | null | undefined
): IKernelspecRef | null {
  const accepted = kernelLanguages(language).map(l => l.toLowerCase());
  const rank = (name: string) => {
    const spec = specs?.kernelspecs?.[name];
    return name.startsWith(environmentKernelName('')) || !spec ? -1 : accepted.indexOf(spec.language.toLowerCase());
  };
  const names = Object.keys(specs?.kernelspecs ?? {})
    .filter(name => rank(name) >= 0)
    .sort((a, b) => Number(b === specs?.default) - Number(a === specs?.default) || rank(a) - rank(b) || a.localeCompare(b));
  const spec = names.length ? specs?.kernelspecs?.[names[0]] : null;
  return spec ? { name: names[0], display_name: spec.display_name, language: spec.language } : null;
}

/**
 * The kernel a step notebook of an environment should have: the
 * environment's kernel when the server serves it, else an installed host
 * kernel of the environment's language, else null (`unservedKernelspec`).
 */
export async function stepNotebookKernelspec(
  environmentUuid: string | null | undefined,
  language: string,
  kernelspecs: KernelSpec.IManager | null
): Promise<IKernelspecRef | null> {
  const served = await stepKernelspec(environmentUuid, kernelspecs);
  return served ?? (kernelspecs ? hostKernelspec(language, kernelspecs.specs) : null);
}

/**
 * What a step notebook names when no kernel of its environment's language is
 * installed: for Python the host's kernel, else the environment's kernel
 * name (what Orchest writes) with the language, so that JupyterLab asks for a
 * kernel, and the engine knows the notebook's language.
 */
export function unservedKernelspec(environmentUuid: string | null | undefined, language: string): IKernelspecRef {
  const key = language.toLowerCase();
  if (key === 'python' || !environmentUuid) {
    return HOST_KERNELSPEC;
  }
  return {
    name: environmentKernelName(environmentUuid),
    display_name: LANGUAGE_TITLES[key] ?? language,
    language: kernelLanguages(key)[0]
  };
}

/** The content of a new step notebook: no cells, the kernelspec given (else the host's). */
export function newNotebookContent(kernelspec: IKernelspecRef | null): Record<string, unknown> {
  return {
    cells: [],
    metadata: { kernelspec: { ...(kernelspec ?? HOST_KERNELSPEC) } },
    nbformat: 4,
    nbformat_minor: 5
  };
}

/**
 * The notebook's content naming `kernelspec`, or null when it already does
 * (the content given is not changed).
 */
export function withKernelspec(content: unknown, kernelspec: IKernelspecRef): Record<string, unknown> | null {
  if (typeof content !== 'object' || content === null || Array.isArray(content)) {
    return null;
  }
  const notebook = content as Record<string, unknown>;
  const metadata = (notebook.metadata ?? {}) as Record<string, unknown>;
  const current = metadata.kernelspec as Partial<IKernelspecRef> | undefined;
  if (current?.name === kernelspec.name) {
    return null;
  }
  return { ...notebook, metadata: { ...metadata, kernelspec: { ...kernelspec } } };
}

/** An open notebook as the document manager has it. */
export interface IOpenNotebook {
  readonly sessionContext: ISessionContext;
  readonly model: { readonly dirty: boolean } | null;
  save(): Promise<void>;
  revert(): Promise<void>;
}

/** The open notebooks of the page. */
export interface IOpenNotebooks {
  /** The open notebook of a path, if any. */
  find(path: string): IOpenNotebook | null;
  /**
   * After a step's environment changed: offer to switch its open notebook to
   * the new kernel (false: not open, already on it, or the user kept it).
   */
  offerKernel(path: string, kernelspec: IKernelspecRef): Promise<boolean>;
}

/** The kernel name an open notebook has, or will start with. */
export function kernelOf(notebook: IOpenNotebook): string | undefined {
  const session = notebook.sessionContext;
  return session.session?.kernel?.name ?? session.kernelPreference.name;
}

/**
 * Switch an open notebook to a kernel; a notebook that had no unsaved changes
 * is saved with its new kernelspec (so that it opens on it next time).
 */
export async function switchKernel(notebook: IOpenNotebook, kernelspec: IKernelspecRef): Promise<void> {
  const wasClean = !notebook.model?.dirty;
  await notebook.sessionContext.ready;
  const kernel = await notebook.sessionContext.changeKernel({ name: kernelspec.name });
  if (kernel) {
    // JupyterLab writes the kernel's spec and language_info into the notebook once it has them
    // (handlers registered before these): save after that, not before.
    await Promise.all([kernel.spec, kernel.info]);
  }
  if (wasClean && notebook.model?.dirty) {
    await notebook.save();
  }
}

/**
 * Make a step's notebook use `kernelspec` before it is opened: an open
 * notebook on another kernel is switched, a closed one gets the kernelspec
 * in its metadata (written only when it names another).
 */
export async function prepareNotebookKernel(
  path: string,
  kernelspec: IKernelspecRef,
  options: { contents: Contents.IManager; notebooks: IOpenNotebooks | null }
): Promise<void> {
  const open = options.notebooks?.find(path) ?? null;
  if (open) {
    if (kernelOf(open) !== kernelspec.name) {
      await switchKernel(open, kernelspec);
    }
    return;
  }
  const model = await options.contents.get(path, { type: 'notebook', content: true });
  const content = withKernelspec(model.content, kernelspec);
  if (content) {
    await options.contents.save(path, { type: 'notebook', format: 'json', content });
  }
}

/** Whether a kernel's language runs notebooks of an environment language. */
export function runsLanguage(kernelLanguage: string, language: string): boolean {
  return kernelLanguages(language).some(l => l.toLowerCase() === kernelLanguage.toLowerCase());
}

/**
 * The kernel to give a step's notebook before it opens, or null to leave it:
 * the environment's kernel when the server serves it; else, when the
 * notebook's kernel is of another language than its environment (Python in
 * a JavaScript step), an installed host kernel of the environment's. A
 * notebook of the right language (Orchest's `orchest-kernel-<uuid>` ones
 * too) is left as it is.
 */
export async function openingKernelspec(
  path: string,
  environment: { uuid: string | null | undefined; language: string },
  options: { contents: Contents.IManager; notebooks: IOpenNotebooks | null; kernelspecs: KernelSpec.IManager | null }
): Promise<IKernelspecRef | null> {
  const served = await stepKernelspec(environment.uuid, options.kernelspecs);
  if (served || !options.kernelspecs) {
    return served;
  }
  const specs = options.kernelspecs.specs;
  const open = options.notebooks?.find(path) ?? null;
  let current: unknown;
  if (open) {
    current = specs?.kernelspecs?.[kernelOf(open) ?? '']?.language;
  } else {
    const model = await options.contents.get(path, { type: 'notebook', content: true });
    current = model.content?.metadata?.kernelspec?.language;
  }
  if (typeof current !== 'string' || runsLanguage(current, environment.language)) {
    return null;
  }
  return hostKernelspec(environment.language, specs);
}
