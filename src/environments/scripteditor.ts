/**
 * The setup script of an environment in a JupyterLab code editor (main
 * area). The script lives in `.orchest/environments/<uuid>/setup_script.sh`,
 * which the contents API hides: it is read and saved through the
 * environments API (`setup_script`).
 */

import { Dialog, MainAreaWidget, showDialog, showErrorMessage } from '@jupyterlab/apputils';
import { CodeEditor, CodeEditorWrapper, IEditorServices } from '@jupyterlab/codeeditor';
import { TranslationBundle } from '@jupyterlab/translation';
import { saveIcon, ToolbarButton } from '@jupyterlab/ui-components';
import { Message } from '@lumino/messaging';

import { IEnvironment, OrchestAPI } from '../api';
import { environmentIcon } from '../icons';

/** The MIME type that gives shell highlighting. */
const SHELL_MIME_TYPE = 'text/x-sh';

/**
 * An editor of one environment's setup script.
 */
export class SetupScriptEditor extends MainAreaWidget<CodeEditorWrapper> {
  constructor(options: {
    api: OrchestAPI;
    editorServices: IEditorServices;
    trans: TranslationBundle;
    environment: IEnvironment;
  }) {
    const model = new CodeEditor.Model({ mimeType: SHELL_MIME_TYPE });
    const content = new CodeEditorWrapper({
      factory: options.editorServices.factoryService.newDocumentEditor,
      model,
      editorOptions: { config: { lineNumbers: true } }
    });
    super({ content });
    this._api = options.api;
    this._trans = options.trans;
    this._environment = options.environment;
    this.addClass('jp-OrchestSetupScript');
    this.title.closable = true;
    this.title.icon = environmentIcon;
    this.toolbar.addItem(
      'save',
      new ToolbarButton({
        icon: saveIcon,
        label: this._trans.__('Save'),
        tooltip: this._trans.__('Save the setup script (Ctrl+S)'),
        onClick: () => void this.save()
      })
    );
    model.sharedModel.changed.connect(() => this._showState());
    this._saved = options.environment.setup_script ?? '';
    model.sharedModel.setSource(this._saved);
    this._showState();
  }

  /** The environment (as last read or saved). */
  get environment(): IEnvironment {
    return this._environment;
  }

  /** Whether the text differs from the saved script. */
  get dirty(): boolean {
    return this.content.model.sharedModel.getSource() !== this._saved;
  }

  /** Save the script (PATCH `setup_script`); errors are shown in a dialog. */
  async save(): Promise<boolean> {
    const text = this.content.model.sharedModel.getSource();
    const env = this._environment;
    try {
      this._environment = await this._api.updateEnvironment(env.project, env.uuid, { setup_script: text });
    } catch (error) {
      void showErrorMessage(this._trans.__('The setup script of “%1” was not saved', env.name), error as Error);
      return false;
    }
    this._saved = text;
    this._showState();
    return true;
  }

  /**
   * The environment changed on the server: take its name, and its script
   * unless the text here has unsaved changes.
   */
  changed(environment: IEnvironment): void {
    const dirty = this.dirty;
    this._environment = environment;
    const script = environment.setup_script ?? '';
    if (!dirty && script !== this._saved) {
      this._saved = script;
      this.content.model.sharedModel.setSource(script);
    }
    this._showState();
  }

  protected onActivateRequest(msg: Message): void {
    super.onActivateRequest(msg);
    this.content.editor.focus();
  }

  protected onCloseRequest(msg: Message): void {
    if (!this.dirty) {
      super.onCloseRequest(msg);
      return;
    }
    void showDialog({
      title: this._trans.__('Save the setup script?'),
      body: this._trans.__('The setup script of “%1” has unsaved changes.', this._environment.name),
      buttons: [
        Dialog.cancelButton({ label: this._trans.__('Cancel') }),
        Dialog.warnButton({ label: this._trans.__('Discard') }),
        Dialog.okButton({ label: this._trans.__('Save') })
      ]
    }).then(async result => {
      if (result.button.accept && (result.button.displayType === 'warn' || (await this.save()))) {
        this.dispose();
      }
    });
  }

  private _showState(): void {
    const env = this._environment;
    this.title.label = this._trans.__('Setup script · %1', env.name);
    this.title.caption = this._trans.__(
      'Setup script of the environment “%1” (%2/.orchest/environments/%3/setup_script.sh)',
      env.name,
      env.project || '.',
      env.uuid
    );
    // The tab's dirty marker, as document editors show it.
    this.title.className = this.dirty ? 'jp-mod-dirty' : '';
  }

  private _api: OrchestAPI;
  private _trans: TranslationBundle;
  private _environment: IEnvironment;
  private _saved: string;
}
