import { KernelSpec } from '@jupyterlab/services';

import {
  environmentKernelspec,
  hostKernelspec,
  HOST_KERNELSPEC,
  newNotebookContent,
  openingKernelspec,
  prepareNotebookKernel,
  runsLanguage,
  stepKernelspec,
  stepNotebookKernelspec,
  unservedKernelspec,
  withKernelspec
} from '../kernels';

const ENV = '8c5ff0a9-6a39-4d1c-9a36-0a4b6f1f3c11';
const NAME = `orchest-kernel-${ENV}`;

/** Kernelspecs of these names (`name:language`, Python when no language is given). */
function specs(names: string[], defaultName = 'python3'): KernelSpec.ISpecModels {
  const kernelspecs: { [name: string]: KernelSpec.ISpecModel } = {};
  for (const entry of names) {
    const [name, language] = entry.split(':');
    kernelspecs[name] = {
      name,
      display_name: `${name} display`,
      language: language ?? 'python',
      argv: [],
      resources: {}
    } as unknown as KernelSpec.ISpecModel;
  }
  return { default: defaultName, kernelspecs };
}

/** A kernelspec manager serving these kernelspecs. */
function manager(names: string[]): KernelSpec.IManager {
  return {
    ready: Promise.resolve(),
    specs: specs(names),
    refreshSpecs: jest.fn(async () => undefined)
  } as unknown as KernelSpec.IManager;
}

describe('environment kernelspecs', () => {
  it('names the environment kernel only when the server serves it', () => {
    expect(environmentKernelspec(ENV, specs(['python3', NAME]))).toEqual({
      name: NAME,
      display_name: `${NAME} display`,
      language: 'python'
    });
    expect(environmentKernelspec(ENV, specs(['python3']))).toBeNull();
    expect(environmentKernelspec('', specs([NAME]))).toBeNull();
    expect(environmentKernelspec(ENV, null)).toBeNull();
  });

  it('reads the kernelspecs again once when an environment is new to them', async () => {
    let served = ['python3'];
    const manager = {
      ready: Promise.resolve(),
      get specs() {
        return specs(served);
      },
      refreshSpecs: jest.fn(async () => {
        served = ['python3', NAME];
      })
    } as unknown as KernelSpec.IManager;
    expect((await stepKernelspec(ENV, manager))?.name).toBe(NAME);
    expect(manager.refreshSpecs).toHaveBeenCalledTimes(1);
    expect((await stepKernelspec(ENV, manager))?.name).toBe(NAME);
    expect(manager.refreshSpecs).toHaveBeenCalledTimes(1);
    expect(await stepKernelspec(ENV, null)).toBeNull();
  });

  it('gives new step notebooks the environment kernel, else the host one', () => {
    const spec = { name: NAME, display_name: 'Env (environment)', language: 'python' };
    expect(newNotebookContent(spec)).toEqual({
      cells: [],
      metadata: { kernelspec: spec },
      nbformat: 4,
      nbformat_minor: 5
    });
    expect((newNotebookContent(null).metadata as any).kernelspec).toEqual(HOST_KERNELSPEC);
  });

  it('writes the kernelspec into a notebook only when it names another', () => {
    const spec = { name: NAME, display_name: 'Env', language: 'python' };
    const notebook = { cells: [{ cell_type: 'code' }], metadata: { kernelspec: HOST_KERNELSPEC, other: 1 } };
    const changed = withKernelspec(notebook, spec);
    expect(changed).toEqual({ cells: notebook.cells, metadata: { kernelspec: spec, other: 1 } });
    expect(notebook.metadata.kernelspec).toBe(HOST_KERNELSPEC);
    expect(withKernelspec(changed, spec)).toBeNull();
    expect(withKernelspec({ cells: [] }, spec)).toEqual({ cells: [], metadata: { kernelspec: spec } });
  });

  it('sets a closed notebook to the kernel on disk, and switches an open one', async () => {
    const spec = { name: NAME, display_name: 'Env', language: 'python' };
    const files: { [path: string]: unknown } = {
      'p/nb.ipynb': { cells: [], metadata: { kernelspec: HOST_KERNELSPEC }, nbformat: 4, nbformat_minor: 5 }
    };
    const contents = {
      get: jest.fn(async (path: string) => ({ content: files[path] })),
      save: jest.fn(async (path: string, model: { content: unknown }) => {
        files[path] = model.content;
      })
    };
    await prepareNotebookKernel('p/nb.ipynb', spec, { contents: contents as any, notebooks: null });
    expect((files['p/nb.ipynb'] as any).metadata.kernelspec).toEqual(spec);
    await prepareNotebookKernel('p/nb.ipynb', spec, { contents: contents as any, notebooks: null });
    expect(contents.save).toHaveBeenCalledTimes(1); // already on it: not written again

    let kernel = 'python3';
    let dirty = false;
    const open = {
      sessionContext: {
        ready: Promise.resolve(),
        session: { kernel: { get name() { return kernel; } } },
        kernelPreference: {},
        changeKernel: jest.fn(async ({ name }: { name: string }) => {
          kernel = name;
          // JupyterLab writes the kernel's metadata into the notebook once the kernel answers.
          const info = Promise.resolve().then(() => {
            dirty = true;
          });
          return { spec: Promise.resolve({}), info };
        })
      },
      model: { get dirty() { return dirty; } },
      save: jest.fn(async () => {
        dirty = false;
      }),
      revert: jest.fn()
    };
    const notebooks = {
      find: (path: string) => (path === 'p/open.ipynb' ? (open as any) : null),
      offerKernel: jest.fn()
    };
    await prepareNotebookKernel('p/open.ipynb', spec, { contents: contents as any, notebooks });
    expect(open.sessionContext.changeKernel).toHaveBeenCalledWith({ name: NAME });
    expect(open.save).toHaveBeenCalledTimes(1); // it had no unsaved changes: saved with its kernelspec
    await prepareNotebookKernel('p/open.ipynb', spec, { contents: contents as any, notebooks });
    expect(open.sessionContext.changeKernel).toHaveBeenCalledTimes(1);
    expect(contents.get).toHaveBeenCalledTimes(2); // the open notebook is never read from disk
  });
});

describe('host kernels of an environment language (no environment kernels served)', () => {
  // With another environment's kernel (served for another project's environment).
  const OTHER = 'orchest-kernel-0f3e2a1b-1111-4222-8333-444455556666';
  const host = ['python3', 'deno:typescript', 'ir:R', `${OTHER}:javascript`, 'zz-python:python'];

  it('finds an installed kernel of the language, never another environment\'s', () => {
    expect(hostKernelspec('javascript', specs(host))).toEqual({
      name: 'deno',
      display_name: 'deno display',
      language: 'typescript'
    });
    expect(hostKernelspec('r', specs(host))?.name).toBe('ir');
    expect(hostKernelspec('python', specs(host))?.name).toBe('python3');
    expect(hostKernelspec('python', specs(host, 'zz-python'))?.name).toBe('zz-python'); // the default first
    // A JavaScript kernel before a TypeScript one; the environment kernels of other environments never.
    expect(hostKernelspec('javascript', specs([...host, 'ijs:javascript']))?.name).toBe('ijs');
    expect(hostKernelspec('javascript', specs(['python3', `${OTHER}:javascript`]))).toBeNull();
    expect(hostKernelspec('julia', specs(host))).toBeNull();
    expect(hostKernelspec('r', null)).toBeNull();
  });

  it.each([
    ['typescript', 'javascript', true],
    ['javascript', 'JavaScript', true],
    ['R', 'r', true],
    ['python', 'javascript', false],
    ['typescript', 'python', false]
  ])('says whether a %s kernel runs %s notebooks', (kernel, language, runs) => {
    expect(runsLanguage(kernel, language)).toBe(runs);
  });

  it('gives a new JavaScript step notebook Deno\'s kernel, never Python\'s', async () => {
    const withDeno = await stepNotebookKernelspec(ENV, 'javascript', manager(host));
    expect((newNotebookContent(withDeno).metadata as any).kernelspec).toEqual({
      name: 'deno',
      display_name: 'deno display',
      language: 'typescript'
    });
    // The environment's kernel, when served, wins over the host's.
    expect((await stepNotebookKernelspec(ENV, 'javascript', manager([...host, `${NAME}:javascript`])))?.name).toBe(NAME);
    expect((await stepNotebookKernelspec(ENV, 'r', manager(host)))?.name).toBe('ir');
    expect((await stepNotebookKernelspec(ENV, 'python', manager(host)))?.name).toBe('python3');
    expect(await stepNotebookKernelspec(ENV, 'javascript', manager(['python3']))).toBeNull();
    expect(await stepNotebookKernelspec(ENV, 'javascript', null)).toBeNull();
  });

  it('names the language, with no installed kernel, when the host has none of it', () => {
    // Not installed: JupyterLab asks for a kernel; the engine reads the language.
    expect(unservedKernelspec(ENV, 'javascript')).toEqual({ name: NAME, display_name: 'JavaScript', language: 'javascript' });
    expect(unservedKernelspec(ENV, 'r')).toEqual({ name: NAME, display_name: 'R', language: 'R' });
    expect(unservedKernelspec(ENV, 'julia')).toEqual({ name: NAME, display_name: 'Julia', language: 'julia' });
    expect(unservedKernelspec(ENV, 'python')).toEqual(HOST_KERNELSPEC);
  });

  it('moves a notebook of another language to a host kernel of its environment\'s before it opens', async () => {
    const files: { [path: string]: any } = {
      'p/py.ipynb': { cells: [], metadata: { kernelspec: HOST_KERNELSPEC } },
      'p/orchest.ipynb': { cells: [], metadata: { kernelspec: { name: NAME, display_name: 'JS', language: 'javascript' } } },
      'p/bare.ipynb': { cells: [], metadata: {} }
    };
    const contents = { get: jest.fn(async (path: string) => ({ content: files[path] })) } as any;
    const js = { uuid: ENV, language: 'javascript' };
    const options = { contents, notebooks: null, kernelspecs: manager(host) };
    expect((await openingKernelspec('p/py.ipynb', js, options))?.name).toBe('deno');
    // The right language (Orchest's own), or none said: left to JupyterLab.
    expect(await openingKernelspec('p/orchest.ipynb', js, options)).toBeNull();
    expect(await openingKernelspec('p/bare.ipynb', js, options)).toBeNull();
    expect(await openingKernelspec('p/py.ipynb', { uuid: ENV, language: 'python' }, options)).toBeNull();
    // No kernel of the language on the host: left as it is.
    expect(await openingKernelspec('p/py.ipynb', js, { ...options, kernelspecs: manager(['python3']) })).toBeNull();
    // Served: the environment's kernel, whatever the notebook says.
    const served = { ...options, kernelspecs: manager([...host, `${NAME}:javascript`]) };
    expect((await openingKernelspec('p/orchest.ipynb', js, served))?.name).toBe(NAME);

    // An open notebook: its kernel's language, not the file's.
    const open = { sessionContext: { session: { kernel: { name: 'python3' } }, kernelPreference: {} } } as any;
    const notebooks = { find: (path: string) => (path === 'p/bare.ipynb' ? open : null), offerKernel: jest.fn() };
    const reads = contents.get.mock.calls.length;
    expect((await openingKernelspec('p/bare.ipynb', js, { ...options, notebooks }))?.name).toBe('deno');
    expect(contents.get).toHaveBeenCalledTimes(reads);
  });
});
