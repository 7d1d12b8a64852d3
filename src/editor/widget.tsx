/**
 * The widgets of a pipeline canvas: the pipeline editor (a document widget
 * of a `.orchest` file) with its factory, and the read-only view of a past
 * run (a main-area widget without a document).
 */

import { MainAreaWidget } from '@jupyterlab/apputils';
import { ReactWidget } from '@jupyterlab/ui-components';
import { ABCWidgetFactory, DocumentRegistry, DocumentWidget } from '@jupyterlab/docregistry';
import { TranslationBundle } from '@jupyterlab/translation';
import { Message } from '@lumino/messaging';
import * as React from 'react';

import { MainAreaToolbar } from '../components/toolbar';
import { PipelineController } from './controller';
import { IEditorServices, PIPELINE_EDITOR_FACTORY } from './services';
import { PipelineEditorController } from './document';
import { RunViewController, runName } from './runview';
import { PipelineEditorView } from './view';

export { PIPELINE_EDITOR_FACTORY };

/**
 * The content of a pipeline widget: the React view of its controller.
 */
export class PipelinePanel<T extends PipelineController = PipelineController> extends ReactWidget {
  constructor(
    readonly controller: T,
    private readonly _trans: TranslationBundle
  ) {
    super();
    this.addClass('jp-OrchestEditor-panel');
  }

  /** The panel owns its controller. */
  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this.controller.dispose();
    super.dispose();
  }

  render(): JSX.Element {
    return <PipelineEditorView controller={this.controller} trans={this._trans} />;
  }

  protected onActivateRequest(msg: Message): void {
    super.onActivateRequest(msg);
    this.focusCanvas();
  }

  /**
   * Focus the canvas (where the editor's keyboard shortcuts apply), unless
   * the focus is already inside it.
   */
  focusCanvas(): void {
    const canvas = this.node.querySelector<HTMLElement>('.jp-OrchestEditor-canvas');
    if (canvas && !canvas.contains(document.activeElement)) {
      canvas.focus({ preventScroll: true });
    } else if (!canvas) {
      this.node.focus({ preventScroll: true });
    }
  }
}

/**
 * A pipeline editor: a document widget of a `.orchest` file.
 */
export class PipelineEditorWidget extends DocumentWidget<
  PipelinePanel<PipelineEditorController>,
  DocumentRegistry.ICodeModel
> {
  constructor(
    options: DocumentWidget.IOptions<PipelinePanel<PipelineEditorController>, DocumentRegistry.ICodeModel>
  ) {
    super(options);
    this.addClass('jp-OrchestEditorWidget');
    // Make the panel focusable, so that its keyboard shortcuts apply.
    this.content.node.tabIndex = -1;
  }

  get controller(): PipelineEditorController {
    return this.content.controller;
  }
}

/**
 * A past run shown read-only.
 */
export class RunViewWidget extends MainAreaWidget<PipelinePanel<RunViewController>> {
  constructor(controller: RunViewController, trans: TranslationBundle) {
    super({ content: new PipelinePanel(controller, trans), toolbar: new MainAreaToolbar() });
    this.id = RunViewWidget.idOf(controller.runUuid);
    this.addClass('jp-OrchestEditorWidget');
    this.addClass('jp-OrchestRunView');
    this.content.node.tabIndex = -1;
    this.title.closable = true;
    const setTitle = (): void => {
      const name = controller.model?.name || controller.path || trans.__('Pipeline');
      // What it is first: many run views of one pipeline stay apart.
      this.title.label = trans.__('Run %1 · %2', runName(controller.run ?? { uuid: controller.runUuid }), name);
      const created = controller.run ? new Date(controller.run.created).toLocaleString() : '';
      this.title.caption = trans.__('Read-only: the run %1 of %2, started %3', controller.runUuid, controller.path, created);
    };
    setTitle();
    void controller.ready.then(setTitle);
  }

  /** The id of the view of a run. */
  static idOf(runUuid: string): string {
    return `orchest-run-${runUuid}`;
  }

  get controller(): RunViewController {
    return this.content.controller;
  }
}

/**
 * A widget that shows a pipeline on a canvas.
 */
export type PipelineWidget = PipelineEditorWidget | RunViewWidget;

/**
 * Creates pipeline editors.
 */
export class PipelineEditorFactory extends ABCWidgetFactory<PipelineEditorWidget, DocumentRegistry.ICodeModel> {
  constructor(
    options: DocumentRegistry.IWidgetFactoryOptions<PipelineEditorWidget> & {
      services: IEditorServices;
      populateToolbar: (widget: PipelineEditorWidget) => void;
    }
  ) {
    super(options);
    this._services = options.services;
    this._populateToolbar = options.populateToolbar;
  }

  protected createNewWidget(context: DocumentRegistry.IContext<DocumentRegistry.ICodeModel>): PipelineEditorWidget {
    this._services.events.start();
    const controller = new PipelineEditorController(context, this._services);
    const content = new PipelinePanel(controller, this._services.trans);
    const widget = new PipelineEditorWidget({ content, context, toolbar: new MainAreaToolbar() });
    this._populateToolbar(widget);
    return widget;
  }

  private _services: IEditorServices;
  private _populateToolbar: (widget: PipelineEditorWidget) => void;
}
