import { KernelSpec } from '@jupyterlab/services';

import {
  environmentKernelspec,
  HOST_KERNELSPEC,
  newNotebookContent,
  prepareNotebookKernel,
  stepKernelspec,
  withKernelspec
} from '../kernels';

const ENV = '8c5ff0a9-6a39-4d1c-9a36-0a4b6f1f3c11';
const NAME = `orchest-kernel-${ENV}`;

function specs(names: string[]): KernelSpec.ISpecModels {
  const kernelspecs: { [name: string]: KernelSpec.ISpecModel } = {};
  for (const name of names) {
    kernelspecs[name] = {
      name,
      display_name: `${name} display`,
      language: 'python',
      argv: [],
      resources: {}
    } as unknown as KernelSpec.ISpecModel;
  }
  return { default: 'python3', kernelspecs };
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
