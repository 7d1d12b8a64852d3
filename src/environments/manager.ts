/**
 * What the environments panel does: create, edit, delete, build and cancel
 * through the API, and the main-area views of environments (setup script
 * editors, build logs), kept live from the websocket events.
 */

import { JupyterFrontEnd } from '@jupyterlab/application';
import { Dialog, showDialog, showErrorMessage } from '@jupyterlab/apputils';
import { IEditorServices } from '@jupyterlab/codeeditor';
import { TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';

import { APIError, IEnvironment, OrchestAPI } from '../api';
import { EventsClient, OrchestEvent } from '../events';
import { BuildLogModel } from './buildlog';
import { askEnvironmentForm } from './form';
import { BuildLogPanel, BuildLogView, IBuildActions } from './logview';
import { changedFields, fieldsOf, isBuildOfProject } from './model';
import { SetupScriptEditor } from './scripteditor';

function key(project: string, envUuid: string): string {
  return `${project}\u0000${envUuid}`;
}

/**
 * The environments' actions and views.
 */
export class EnvironmentsManager implements IBuildActions {
  constructor(
    readonly options: {
      api: OrchestAPI;
      events: EventsClient;
      trans: TranslationBundle;
      shell: JupyterFrontEnd.IShell;
      /** The code editors of JupyterLab (null: no setup script editor). */
      editorServices: IEditorServices | null;
      /** The server's root folder, absolute (build events name folders so). */
      serverRoot: string;
      /** Ask for a project folder (null: not offered). */
      chooseProject: (() => Promise<string | null>) | null;
      /**
       * The environments of a project changed (e.g. to refresh the pipeline
       * editors' environment pickers).
       */
      environmentsChanged?: (project: string) => void;
    }
  ) {
    options.events.received.connect(this._onEvent, this);
  }

  get api(): OrchestAPI {
    return this.options.api;
  }

  get trans(): TranslationBundle {
    return this.options.trans;
  }

  /** Whether setup scripts can be edited (JupyterLab's code editors are there). */
  get canEditScripts(): boolean {
    return this.options.editorServices !== null;
  }

  /** The setup script editor in the current tab, if any. */
  get currentScriptEditor(): SetupScriptEditor | null {
    const current = this.options.shell.currentWidget;
    return current instanceof SetupScriptEditor ? current : null;
  }

  /** Ask for a new environment's properties and create it in the project. */
  async create(project: string): Promise<IEnvironment | null> {
    const form = await askEnvironmentForm(this.trans);
    if (!form) {
      return null;
    }
    try {
      const env = await this.api.createEnvironment(project, fieldsOf(form));
      this._notify(env.project);
      await this.openSetupScript(env);
      return env;
    } catch (error) {
      void showErrorMessage(this.trans.__('The environment was not created'), error as Error);
      return null;
    }
  }

  /** Create the default environment ("Python 3") of a project that has none. */
  async createDefault(project: string): Promise<IEnvironment | null> {
    try {
      const env = await this.api.createEnvironment(project, {});
      this._notify(env.project);
      return env;
    } catch (error) {
      void showErrorMessage(this.trans.__('The environment was not created'), error as Error);
      return null;
    }
  }

  /** Ask for an environment's properties and save the changed ones. */
  async edit(env: IEnvironment): Promise<void> {
    const form = await askEnvironmentForm(this.trans, env);
    if (!form) {
      return;
    }
    const fields = changedFields(env, form);
    if (!Object.keys(fields).length) {
      return;
    }
    try {
      this._refreshViews(await this.api.updateEnvironment(env.project, env.uuid, fields));
      this._notify(env.project);
    } catch (error) {
      void showErrorMessage(this.trans.__('The environment “%1” was not changed', env.name), error as Error);
    }
  }

  /**
   * Delete an environment once confirmed; when the server refuses (steps,
   * runs or a build use it), its message says why.
   */
  async remove(env: IEnvironment): Promise<boolean> {
    const trans = this.trans;
    const confirm = await showDialog({
      title: trans.__('Delete the environment “%1”?', env.name),
      body: trans.__('Its setup script, its build logs and its image are deleted.'),
      buttons: [Dialog.cancelButton({ label: trans.__('Cancel') }), Dialog.warnButton({ label: trans.__('Delete') })]
    });
    if (!confirm.button.accept) {
      return false;
    }
    try {
      await this.api.deleteEnvironment(env.project, env.uuid);
    } catch (error) {
      if (error instanceof APIError && error.status === 409) {
        await showDialog({
          title: trans.__('The environment “%1” cannot be deleted', env.name),
          body: error.message,
          buttons: [Dialog.okButton({ label: trans.__('OK') })]
        });
      } else {
        void showErrorMessage(trans.__('The environment “%1” was not deleted', env.name), error as Error);
      }
      return false;
    }
    this._closeViews(env.project, env.uuid);
    this._notify(env.project);
    return true;
  }

  /** Start a build (`force`: even when the image is up to date) and show its log. */
  async build(env: IEnvironment, force: boolean): Promise<void> {
    const view = this.openBuildLog(env);
    try {
      view.content.model.started(await this.api.buildEnvironment(env.project, env.uuid, { force }));
    } catch (error) {
      void showErrorMessage(this.trans.__('The environment “%1” cannot be built', env.name), error as Error);
    }
  }

  /** Cancel the build in progress. */
  async cancel(env: IEnvironment): Promise<void> {
    try {
      await this.api.cancelBuild(env.project, env.uuid);
    } catch (error) {
      void showErrorMessage(this.trans.__('The build of “%1” was not cancelled', env.name), error as Error);
    }
  }

  /** Open (or show) the environment's setup script in a code editor. */
  async openSetupScript(env: IEnvironment): Promise<SetupScriptEditor | null> {
    const services = this.options.editorServices;
    if (!services) {
      return null;
    }
    const id = key(env.project, env.uuid);
    let editor = this._editors.get(id);
    if (!editor) {
      // The listing may be older than the script: read it now.
      let current: IEnvironment;
      try {
        current = await this.api.getEnvironment(env.project, env.uuid);
      } catch (error) {
        void showErrorMessage(this.trans.__('The setup script of “%1” cannot be read', env.name), error as Error);
        return null;
      }
      editor = this._editors.get(id);
      if (!editor) {
        editor = new SetupScriptEditor({
          api: this.api,
          editorServices: services,
          trans: this.trans,
          environment: current
        });
        editor.id = `orchest-env-script-${++this._count}`;
        this._track(this._editors, id, editor);
        this.options.shell.add(editor, 'main');
      }
    }
    this.options.shell.activateById(editor.id);
    return editor;
  }

  /** Open (or show) the environment's build log. */
  openBuildLog(env: IEnvironment): BuildLogView {
    // The log follows the events (the sidebar usually started them already).
    this.options.events.start();
    const id = key(env.project, env.uuid);
    let view = this._logs.get(id);
    if (!view) {
      const model = new BuildLogModel(env.uuid);
      view = new BuildLogView(new BuildLogPanel(model, env, this, this.trans), this.trans);
      view.id = `orchest-env-build-${++this._count}`;
      this._track(this._logs, id, view);
      this.options.shell.add(view, 'main', { mode: 'split-bottom' });
      void this._loadLog(view);
    }
    this.options.shell.activateById(view.id);
    return view;
  }

  dispose(): void {
    this.options.events.received.disconnect(this._onEvent, this);
  }

  private _notify(project: string): void {
    this.options.environmentsChanged?.(project);
  }

  private _track<T extends Widget>(map: Map<string, T>, id: string, widget: T): void {
    map.set(id, widget);
    widget.disposed.connect(() => {
      if (map.get(id) === widget) {
        map.delete(id);
      }
    });
  }

  private async _loadLog(view: BuildLogView): Promise<void> {
    const env = view.content.environment;
    const model = view.content.model;
    model.startLoading();
    try {
      const current = await this.api.getEnvironment(env.project, env.uuid);
      view.content.environment = current;
      const text = current.build ? await this.api.getBuildLog(env.project, env.uuid).catch(() => '') : '';
      model.loaded(current.build ?? null, text);
    } catch (error) {
      model.loaded(null, this.trans.__('The build log cannot be read: %1', (error as Error).message));
    }
  }

  private _refreshViews(env: IEnvironment): void {
    const id = key(env.project, env.uuid);
    this._editors.get(id)?.changed(env);
    const log = this._logs.get(id);
    if (log) {
      log.content.environment = env;
    }
  }

  private _closeViews(project: string, envUuid: string): void {
    const id = key(project, envUuid);
    const editor = this._editors.get(id);
    if (editor && !editor.dirty) {
      editor.dispose();
    }
    this._logs.get(id)?.dispose();
  }

  private _onEvent(_: EventsClient, event: OrchestEvent): void {
    if (event.type === 'reset') {
      this._logs.forEach(view => void this._loadLog(view));
      return;
    }
    if (event.type === 'build') {
      this._logs.forEach(view => {
        const env = view.content.environment;
        if (isBuildOfProject(event, env.project, this.options.serverRoot)) {
          view.content.model.apply(event);
        }
      });
      return;
    }
    if (event.type === 'environment') {
      const project = event.project_path.replace(/^\/+|\/+$/g, '');
      this._notify(project);
      if (event.action === 'deleted') {
        this._closeViews(project, event.environment_uuid);
      } else if (this._editors.has(key(project, event.environment_uuid)) || this._logs.has(key(project, event.environment_uuid))) {
        this.api
          .getEnvironment(project, event.environment_uuid)
          .then(env => this._refreshViews(env))
          .catch(() => undefined);
      }
    }
  }

  private _editors = new Map<string, SetupScriptEditor>();
  private _logs = new Map<string, BuildLogView>();
  private _count = 0;
}
