/**
 * The Orchest sidebar (left area): a column of sections that plugins add
 * through the `IOrchestSidebar` token, shown by rank.
 */

import { TranslationBundle } from '@jupyterlab/translation';
import { DisposableDelegate, IDisposable } from '@lumino/disposable';
import { Message } from '@lumino/messaging';
import { Panel } from '@lumino/widgets';

import { EventsClient } from '../events';
import { pipelineIcon } from '../icons';
import { IOrchestSidebar } from '../tokens';

/**
 * The sidebar widget.
 */
export class OrchestSidebar extends Panel implements IOrchestSidebar {
  constructor(options: { events: EventsClient; trans: TranslationBundle }) {
    super();
    this._events = options.events;
    this.id = 'orchest-jlab-sidebar';
    this.addClass('jp-OrchestSidebar-panel');
    this.title.icon = pipelineIcon;
    this.title.caption = options.trans.__('Orchest pipelines');
  }

  addSection(section: IOrchestSidebar.ISection): IDisposable {
    if (this._sections.some(s => s.id === section.id)) {
      throw new Error(`The Orchest sidebar has a section "${section.id}" already`);
    }
    const { widget } = section;
    widget.id = section.id;
    widget.node.setAttribute('role', 'region');
    widget.node.setAttribute('aria-label', section.title);
    // After the sections of the same rank: they keep the order they came in.
    let index = this._sections.findIndex(s => s.rank > section.rank);
    if (index < 0) {
      index = this._sections.length;
    }
    this._sections.splice(index, 0, section);
    this.insertWidget(index, widget);
    const remove = (): void => {
      this._sections = this._sections.filter(s => s !== section);
      if (!widget.isDisposed && widget.parent === this) {
        widget.parent = null;
      }
    };
    widget.disposed.connect(remove);
    return new DisposableDelegate(remove);
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    // The sections change live: listen to the events once the sidebar is shown.
    this._events.start();
  }

  private _events: EventsClient;
  private _sections: IOrchestSidebar.ISection[] = [];
}
