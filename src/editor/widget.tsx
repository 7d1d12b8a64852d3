/**
 * The pipeline editor as a JupyterLab document widget, and its factory.
 */

import { ReactWidget } from '@jupyterlab/ui-components';
import { ABCWidgetFactory, DocumentRegistry, DocumentWidget } from '@jupyterlab/docregistry';
import { TranslationBundle } from '@jupyterlab/translation';
import { Message } from '@lumino/messaging';
import * as React from 'react';

import { IEditorServices, PipelineEditorController } from './controller';
import { PipelineEditorView } from './view';

/**
 * The name of the pipeline editor's widget factory.
 */
export const PIPELINE_EDITOR_FACTORY = 'Pipeline Editor';

/**
 * The content of a pipeline editor: the React view of its controller.
 */
export class PipelinePanel extends ReactWidget {
  constructor(
    readonly controller: PipelineEditorController,
    private readonly _trans: TranslationBundle
  ) {
    super();
    this.addClass('jp-OrchestEditor-panel');
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
export class PipelineEditorWidget extends DocumentWidget<PipelinePanel, DocumentRegistry.ICodeModel> {
  constructor(options: DocumentWidget.IOptions<PipelinePanel, DocumentRegistry.ICodeModel>) {
    super(options);
    this.addClass('jp-OrchestEditorWidget');
    // Make the panel focusable, so that its keyboard shortcuts apply.
    this.content.node.tabIndex = -1;
  }

  get controller(): PipelineEditorController {
    return this.content.controller;
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this.content.controller.dispose();
    super.dispose();
  }
}

/**
 * Creates pipeline editors.
 */
export class PipelineEditorFactory extends ABCWidgetFactory<
  PipelineEditorWidget,
  DocumentRegistry.ICodeModel
> {
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

  protected createNewWidget(
    context: DocumentRegistry.IContext<DocumentRegistry.ICodeModel>
  ): PipelineEditorWidget {
    this._services.events.start();
    const controller = new PipelineEditorController(context, this._services);
    const content = new PipelinePanel(controller, this._services.trans);
    const widget = new PipelineEditorWidget({ content, context });
    this._populateToolbar(widget);
    return widget;
  }

  private _services: IEditorServices;
  private _populateToolbar: (widget: PipelineEditorWidget) => void;
}
