/**
 * The services orchest-jlab's plugins provide to each other (and to other
 * extensions), as JupyterLab's own packages do: each is a token that a
 * plugin provides and others require.
 */

import type { IWidgetTracker } from '@jupyterlab/apputils';
import { Token } from '@lumino/coreutils';
import type { IDisposable } from '@lumino/disposable';
import type { Widget } from '@lumino/widgets';

import type { OrchestAPI } from './api';
import type { PipelineEditorWidget, PipelineWidget, RunViewWidget } from './editor/widget';
import type { EventsClient } from './events';
import type { SessionTracker } from './sessions';

/**
 * The Orchest server as the page sees it: one REST client, one websocket
 * of events, and the interactive sessions kept live from both.
 */
export interface IOrchestClient {
  /** The REST API (`/orchest/api/…`). */
  readonly api: OrchestAPI;
  /** The server's events (runs, steps, logs, builds, sessions, jobs); `start()` opens the websocket. */
  readonly events: EventsClient;
  /** The interactive sessions of the pipelines the page shows. */
  readonly sessions: SessionTracker;
}

/**
 * The token of the Orchest client (plugin `orchest-jlab:client`).
 */
export const IOrchestClient = new Token<IOrchestClient>(
  'orchest-jlab:IOrchestClient',
  "The Orchest server's REST API, its websocket events and the interactive sessions."
);

/**
 * The pipeline widgets of the page: editors of `.orchest` files and
 * read-only views of past runs. The current one is what the commands act on.
 */
export interface IPipelineTracker extends IWidgetTracker<PipelineWidget> {
  /** The pipeline editors alone. */
  readonly editors: IWidgetTracker<PipelineEditorWidget>;
  /** Open a past run read-only, or bring its open view forward. */
  openRun(runUuid: string): Promise<RunViewWidget>;
}

/**
 * The token of the pipeline tracker (plugin `orchest-jlab:editor`).
 */
export const IPipelineTracker = new Token<IPipelineTracker>(
  'orchest-jlab:IPipelineTracker',
  'The pipeline editors and the read-only views of past runs.'
);

/**
 * The Orchest sidebar (left area): a column of sections that plugins add.
 */
export interface IOrchestSidebar {
  /** Add a section; disposing of the result removes it. */
  addSection(section: IOrchestSidebar.ISection): IDisposable;
}

export namespace IOrchestSidebar {
  /**
   * A section of the sidebar. Its widget draws its own header (title,
   * buttons), which may change with the current pipeline.
   */
  export interface ISection {
    /** Unique among the sections; becomes the widget's DOM id. */
    id: string;
    /** What the section lists, for screen readers. */
    title: string;
    /** Sections are shown by rank, the smallest first. */
    rank: number;
    widget: Widget;
  }
}

/**
 * The token of the sidebar (plugin `orchest-jlab:sidebar`).
 */
export const IOrchestSidebar = new Token<IOrchestSidebar>(
  'orchest-jlab:IOrchestSidebar',
  'The Orchest sidebar, to which plugins add sections (pipelines, jobs, runs, environments).'
);
