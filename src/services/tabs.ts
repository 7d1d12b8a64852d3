/**
 * A service in a JupyterLab tab: its URL in an iframe (through the Jupyter
 * server's authenticated proxy, so on the page's origin with its login), and
 * its log, live. The commands `orchest-jlab:open-service` and
 * `orchest-jlab:open-service-log` open them, one tab per URL or log.
 */

import { JupyterFrontEnd } from '@jupyterlab/application';
import { MainAreaWidget } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import { IFrame, launchIcon, refreshIcon, ToolbarButton } from '@jupyterlab/ui-components';
import { CommandRegistry } from '@lumino/commands';
import { ReadonlyPartialJSONObject } from '@lumino/coreutils';
import { Widget } from '@lumino/widgets';

import { ServicesOf } from '../api';
import { CommandIDs } from '../commands/ids';
import { IServicesAPI, IServicesEvents, ServiceLog } from './live';

/**
 * The log of a service: its lines in a `<pre>`, new ones appended, following
 * the end unless the reader scrolled up.
 */
export class ServiceLogView extends Widget {
  constructor(
    readonly log: ServiceLog,
    private readonly _trans: TranslationBundle
  ) {
    super();
    this.addClass('jp-OrchestServices-logView');
    this._note = document.createElement('div');
    this._note.className = 'jp-OrchestServices-logNote';
    this._pre = document.createElement('pre');
    this._pre.className = 'jp-OrchestLog-text';
    this.node.append(this._note, this._pre);
    log.changed.connect(this._render, this);
    this._render();
  }

  dispose(): void {
    this.log.dispose();
    super.dispose();
  }

  private _render(): void {
    const log = this.log;
    const pre = this._pre;
    const atEnd = pre.scrollHeight - pre.scrollTop - pre.clientHeight < 20;
    if (log.lines !== this._shownLines || log.lines.length < this._shown) {
      // Read again: start over.
      this._shownLines = log.lines;
      this._shown = 0;
      pre.textContent = '';
    }
    if (log.lines.length > this._shown) {
      const added = log.lines.slice(this._shown).join('\n');
      pre.append(document.createTextNode((this._shown ? '\n' : '') + added));
      this._shown = log.lines.length;
    }
    const trans = this._trans;
    this._note.textContent = log.loading
      ? trans.__('Reading the log…')
      : log.error
        ? log.error
        : log.truncated
          ? trans.__('Only the end of the log is shown.')
          : log.lines.length
            ? ''
            : trans.__('The service has written nothing yet.');
    if (atEnd) {
      pre.scrollTop = pre.scrollHeight;
    }
  }

  private _note: HTMLDivElement;
  private _pre: HTMLPreElement;
  private _shownLines: readonly string[] | null = null;
  private _shown = 0;
}

/** A service's URL in an iframe. */
function serviceFrame(url: string, title: string, trans: TranslationBundle): MainAreaWidget<IFrame> {
  // Its pages need scripts, forms and their own origin's cookies (the proxy's login).
  const frame = new IFrame({
    sandbox: ['allow-scripts', 'allow-same-origin', 'allow-forms', 'allow-popups', 'allow-downloads', 'allow-modals'],
    referrerPolicy: 'same-origin'
  });
  frame.url = url;
  const widget = new MainAreaWidget({ content: frame });
  widget.title.label = title;
  widget.title.caption = url;
  widget.title.closable = true;
  widget.addClass('jp-OrchestServices-frame');
  widget.toolbar.addItem(
    'reload',
    new ToolbarButton({
      icon: refreshIcon,
      tooltip: trans.__('Reload'),
      onClick: () => {
        frame.url = '';
        frame.url = url;
      }
    })
  );
  widget.toolbar.addItem(
    'open-in-browser',
    new ToolbarButton({
      icon: launchIcon,
      tooltip: trans.__('Open in a browser tab'),
      onClick: () => window.open(url, '_blank', 'noopener')
    })
  );
  return widget;
}

/**
 * Register the commands that open a service's URL and its log in tabs.
 */
export function addServiceCommands(
  app: Pick<JupyterFrontEnd, 'shell'> & { commands: CommandRegistry },
  client: { api: IServicesAPI; events: IServicesEvents & { start(): void } },
  trans: TranslationBundle
): void {
  const open = new Map<string, MainAreaWidget>();
  const show = (id: string, make: () => MainAreaWidget): void => {
    let widget = open.get(id);
    if (!widget || widget.isDisposed) {
      widget = make();
      widget.id = id;
      open.set(id, widget);
      const made = widget;
      made.disposed.connect(() => {
        if (open.get(id) === made) {
          open.delete(id);
        }
      });
      app.shell.add(widget, 'main');
    }
    app.shell.activateById(widget.id);
  };
  app.commands.addCommand(CommandIDs.openService, {
    label: args => (args.name ? trans.__('Open Service %1', args.name) : trans.__('Open Service')),
    execute: args => {
      const url = String(args.url ?? '');
      if (!url) {
        return;
      }
      const title = args.port ? `${args.name ?? ''}:${args.port}` : String(args.name ?? url);
      show(`orchest-service-${url}`, () => serviceFrame(url, title, trans));
    }
  });
  app.commands.addCommand(CommandIDs.openServiceLog, {
    label: args => (args.name ? trans.__('Log of Service %1', args.name) : trans.__('Log of Service')),
    execute: args => {
      const of = args.of as ReadonlyPartialJSONObject | undefined;
      const name = String(args.name ?? '');
      const sessionUuid = String(args.sessionUuid ?? '');
      const owner: ServicesOf | null =
        typeof of?.run === 'string' ? { run: of.run } : typeof of?.pipeline === 'string' ? { pipeline: of.pipeline } : null;
      if (!owner || !name || !sessionUuid) {
        return;
      }
      client.events.start();
      show(`orchest-service-log-${sessionUuid}-${name}`, () => {
        const log = new ServiceLog(client.api, client.events, owner, name, sessionUuid);
        const widget = new MainAreaWidget({ content: new ServiceLogView(log, trans) });
        widget.title.label = trans.__('Log: %1', name);
        widget.title.closable = true;
        widget.toolbar.addItem(
          'reload',
          new ToolbarButton({ icon: refreshIcon, tooltip: trans.__('Read again'), onClick: () => void log.load() })
        );
        return widget;
      });
    }
  });
}
