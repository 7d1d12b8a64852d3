/**
 * The services the server runs, live: those of a pipeline's interactive
 * session or of a run, read through the REST API and kept current from the
 * `service` and `session` events; and a service's log, followed line by line.
 * No widgets: the logic is tested with jest.
 */

import { PathExt } from '@jupyterlab/coreutils';
import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import type { IService, IServiceLog, ServicesOf } from '../api';
import { errorMessage } from '../editor/helpers';
import { isSamePath, mergeLog } from '../editor/runstate';
import type { OrchestEvent } from '../events';

/** What the monitor needs of the REST client (`OrchestAPI`). */
export interface IServicesAPI {
  listServices(of: ServicesOf): Promise<IService[]>;
  getServiceLog(of: ServicesOf, name: string): Promise<IServiceLog>;
}

/** What the monitor needs of the events client (`EventsClient`). */
export interface IServicesEvents {
  readonly received: ISignal<unknown, OrchestEvent>;
}

/** The services of a session or run in start order (`order`, then name). */
export function inStartOrder(services: Iterable<IService>): IService[] {
  return [...services].sort((a, b) => {
    if (a.order !== b.order) {
      return a.order === null ? 1 : b.order === null ? -1 : a.order - b.order;
    }
    return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
  });
}

/** Whether a service belongs to a session's pipeline or a run. */
export function belongsTo(service: IService, of: ServicesOf): boolean {
  const owner = service.owner;
  return 'run' in of
    ? owner.kind === 'run' && owner.run_uuid === of.run
    : owner.kind === 'session' && isSamePath(owner.pipeline_path, of.pipeline);
}

/** The URLs of a service by port, on the page's own origin (the proxy is the Jupyter server's). */
export function serviceUrls(service: IService, origin: string): { port: number; url: string }[] {
  return service.ports
    .filter(port => service.external_urls[String(port)])
    .map(port => {
      const external = new URL(service.external_urls[String(port)], origin);
      // The server names itself as it was started (e.g. localhost); the page may reach it otherwise.
      return { port, url: new URL(external.pathname + external.search, origin).href };
    });
}

/**
 * What listens to the events until disposed, and says when it changed.
 */
abstract class Live<T> implements IDisposable {
  constructor(
    protected readonly api: IServicesAPI,
    private readonly _events: IServicesEvents
  ) {
    _events.received.connect(this.onEvent, this);
  }

  /** What changed. */
  get changed(): ISignal<this, T> {
    return this._changed;
  }

  get isDisposed(): boolean {
    return this._disposed;
  }

  dispose(): void {
    if (!this._disposed) {
      this._disposed = true;
      this._events.received.disconnect(this.onEvent, this);
      Signal.clearData(this);
    }
  }

  protected abstract onEvent(sender: unknown, event: OrchestEvent): void;

  protected emit(value: T): void {
    if (!this._disposed) {
      this._changed.emit(value);
    }
  }

  private _changed = new Signal<this, T>(this);
  private _disposed = false;
}

interface IWatched {
  of: ServicesOf;
  count: number;
  services: Map<string, IService>;
  /** Events received about these services: an older REST answer never undoes them. */
  events: number;
  /** The event count when each service was last changed by an event. */
  touched: Map<string, number>;
  loaded: boolean;
}

/**
 * The services of the sessions and runs the page shows (one per page).
 */
export class ServiceMonitor extends Live<ServicesOf> {
  // `changed` says whose services changed: the `of` they belong to.

  /**
   * Keep the services of a session or run current until the returned handle
   * is disposed (they are read now when nothing watched them yet).
   */
  watch(of: ServicesOf): IDisposable {
    const key = keyOf(of);
    let watched = this._watched.get(key);
    if (!watched) {
      watched = { of, count: 0, services: new Map(), events: 0, touched: new Map(), loaded: false };
      this._watched.set(key, watched);
      void this.refresh(of);
    }
    watched.count++;
    let disposed = false;
    return {
      get isDisposed() {
        return disposed;
      },
      dispose: () => {
        if (!disposed) {
          disposed = true;
          if (--watched!.count === 0) {
            this._watched.delete(key);
          }
        }
      }
    };
  }

  /** The services of a watched session or run in start order, or null until read. */
  services(of: ServicesOf): IService[] | null {
    const watched = this._watched.get(keyOf(of));
    return watched?.loaded ? inStartOrder(watched.services.values()) : null;
  }

  /** Why the services could not be read, or null. */
  error(of: ServicesOf): string | null {
    return this._errors.get(keyOf(of)) ?? null;
  }

  /** Read the services of a watched session or run again. */
  async refresh(of: ServicesOf): Promise<void> {
    const key = keyOf(of);
    const before = this._watched.get(key)?.events ?? 0;
    let answer: IService[];
    try {
      answer = await this.api.listServices(of);
      this._errors.delete(key);
    } catch (error) {
      this._errors.set(key, errorMessage(error));
      this.emit(of);
      return;
    }
    const watched = this._watched.get(key);
    if (!watched) {
      return;
    }
    const next = new Map<string, IService>();
    for (const service of answer) {
      next.set(service.name, service);
    }
    // Services an event changed while the request was on its way keep the event's word.
    for (const [name, at] of watched.touched) {
      if (at > before) {
        const known = watched.services.get(name);
        if (known) {
          next.set(name, known);
        } else {
          next.delete(name);
        }
      }
    }
    watched.services = next;
    watched.loaded = true;
    this.emit(watched.of);
  }

  protected onEvent(_: unknown, event: OrchestEvent): void {
    if (event.type === 'service') {
      for (const watched of this._watched.values()) {
        if (belongsTo(event.service, watched.of)) {
          watched.services.set(event.service.name, event.service);
          watched.touched.set(event.service.name, ++watched.events);
          this.emit(watched.of);
        }
      }
    } else if (event.type === 'session' && Array.isArray(event.session.services)) {
      // The session's list is whole: services it no longer has are gone.
      const watched = this._watched.get(keyOf({ pipeline: event.session.pipeline_path }));
      if (watched) {
        const names = new Set([...watched.services.keys()]);
        watched.services = new Map(event.session.services.map(s => [s.name, s]));
        for (const name of new Set([...names, ...watched.services.keys()])) {
          watched.touched.set(name, ++watched.events);
        }
        watched.loaded = true;
        this.emit(watched.of);
      }
    } else if (event.type === 'reset') {
      for (const watched of [...this._watched.values()]) {
        void this.refresh(watched.of);
      }
    }
  }

  private _watched = new Map<string, IWatched>();
  private _errors = new Map<string, string>();
}

function keyOf(of: ServicesOf): string {
  if ('run' in of) {
    return `run:${of.run}`;
  }
  return `pipeline:${PathExt.normalize(of.pipeline)}`;
}

/**
 * A service's log: its end read through the REST API, then followed line by
 * line from the `service-log` events (read again after a reset: lines were
 * missed).
 */
export class ServiceLog extends Live<void> {
  constructor(
    api: IServicesAPI,
    events: IServicesEvents,
    readonly of: ServicesOf,
    readonly name: string,
    /** The service's session uuid: what its log events carry. */
    readonly sessionUuid: string
  ) {
    super(api, events);
    void this.load();
  }

  /** The log's lines so far. */
  get lines(): readonly string[] {
    return this._lines;
  }

  /** Only the end of the log was read. */
  truncated = false;

  /** Why the log could not be read, or null. */
  error: string | null = null;

  loading = true;

  /** Read the log again. */
  async load(): Promise<void> {
    const attempt = ++this._attempt;
    this.loading = true;
    this._arrived = [];
    try {
      const answer = await this.api.getServiceLog(this.of, this.name);
      if (attempt === this._attempt) {
        this._lines = mergeLog(answer.log, this._arrived);
        this.truncated = answer.truncated;
        this.error = null;
      }
    } catch (error) {
      if (attempt === this._attempt) {
        this._lines = [...this._arrived];
        this.error = errorMessage(error);
      }
    }
    if (attempt === this._attempt) {
      this.loading = false;
      this.emit();
    }
  }

  protected onEvent(_: unknown, event: OrchestEvent): void {
    if (event.type === 'service-log') {
      if (event.session_uuid === this.sessionUuid && event.name === this.name) {
        if (this.loading) {
          this._arrived.push(event.line);
        } else {
          this._lines.push(event.line);
          this.emit();
        }
      }
    } else if (event.type === 'reset') {
      void this.load();
    }
  }

  private _lines: string[] = [];
  private _arrived: string[] = [];
  private _attempt = 0;
}
