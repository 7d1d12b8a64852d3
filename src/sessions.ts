/**
 * The interactive sessions of the pipelines the page shows: their status,
 * kept live from the `session` events, and starting one before a run. No
 * JupyterLab widgets: the logic is tested with jest.
 */

import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import type { ISession, SessionStatus } from './api';
import type { OrchestEvent } from './events';
import { isSamePath } from './editor/runstate';

/**
 * What the tracker needs of the REST client (`OrchestAPI`).
 */
export interface ISessionAPI {
  listSessions(): Promise<ISession[]>;
  getSession(pipeline: string): Promise<ISession>;
  startSession(pipeline: string): Promise<ISession>;
  stopSession(pipeline: string): Promise<ISession>;
}

/**
 * What the tracker needs of the events client (`EventsClient`).
 */
export interface ISessionEvents {
  readonly received: ISignal<unknown, OrchestEvent>;
}

/**
 * A session that failed or was stopped while a run waited for it; the
 * message is the server's (empty when it gave none).
 */
export class SessionError extends Error {
  constructor(
    message: string,
    readonly session: ISession
  ) {
    super(message);
    this.name = 'SessionError';
  }
}

/**
 * Statuses from which a session goes on to RUNNING by itself.
 */
const ON_ITS_WAY: ReadonlySet<SessionStatus> = new Set(['LAUNCHING', 'RUNNING']);

/**
 * The sessions of the page, by pipeline path (relative to the server's root).
 */
export class SessionTracker implements IDisposable {
  constructor(
    private readonly _api: ISessionAPI,
    private readonly _eventsClient: ISessionEvents,
    options: { pollMs?: number } = {}
  ) {
    this._pollMs = options.pollMs ?? 2000;
    _eventsClient.received.connect(this._onEvent, this);
  }

  /** A session's status changed (or was read for the first time). */
  get changed(): ISignal<this, ISession> {
    return this._changed;
  }

  get isDisposed(): boolean {
    return this._disposed;
  }

  dispose(): void {
    if (this._disposed) {
      return;
    }
    this._disposed = true;
    this._eventsClient.received.disconnect(this._onEvent, this);
    Signal.clearData(this);
  }

  /** The last known session of a pipeline, or null when not read yet. */
  session(pipeline: string): ISession | null {
    return this._sessions.get(normalize(pipeline)) ?? null;
  }

  /** Every session known not to be STOPPED, by pipeline path. */
  active(): ISession[] {
    return [...this._sessions.values()]
      .filter(s => s.status !== 'STOPPED')
      .sort((a, b) => a.pipeline_path.localeCompare(b.pipeline_path));
  }

  /**
   * Read every session the server holds; a known one it no longer holds
   * was stopped meanwhile (an event missed).
   */
  async refreshAll(): Promise<ISession[]> {
    const before = new Map(this._events);
    const listed = await this._api.listSessions();
    const seen = new Set<string>();
    for (const session of listed) {
      const key = normalize(session.pipeline_path);
      seen.add(key);
      if ((this._events.get(key) ?? 0) === (before.get(key) ?? 0)) {
        this._update(session);
      }
    }
    for (const [key, known] of [...this._sessions]) {
      if (!seen.has(key) && known.status !== 'STOPPED' && (this._events.get(key) ?? 0) === (before.get(key) ?? 0)) {
        this._update({ ...known, status: 'STOPPED', message: null, kernels: [] });
      }
    }
    return this.active();
  }

  /** Read a pipeline's session from the server. */
  refresh(pipeline: string): Promise<ISession> {
    return this._ask(pipeline, () => this._api.getSession(pipeline));
  }

  /** Start a pipeline's session (nothing happens when it runs already). */
  start(pipeline: string): Promise<ISession> {
    return this._ask(pipeline, () => this._api.startSession(pipeline));
  }

  /** Stop a pipeline's session. */
  stop(pipeline: string): Promise<ISession> {
    return this._ask(pipeline, () => this._api.stopSession(pipeline));
  }

  /**
   * A REST answer about a session, unless an event about it arrived while
   * the request was on its way: events come in order, and an answer made
   * before the last event must not undo it (e.g. LAUNCHING after RUNNING).
   */
  private async _ask(pipeline: string, request: () => Promise<ISession>): Promise<ISession> {
    const key = normalize(pipeline);
    const before = this._events.get(key) ?? 0;
    const answer = await request();
    if ((this._events.get(key) ?? 0) !== before) {
      return this._sessions.get(key) ?? answer;
    }
    return this._update(answer);
  }

  /**
   * Resolve once the pipeline's session is RUNNING, starting it when it is
   * not on its way there; `onStatus` hears every status met meanwhile. Fails
   * with the session's message when it fails, or when it is stopped.
   */
  async ensureRunning(pipeline: string, onStatus?: (session: ISession) => void): Promise<ISession> {
    let session = this.session(pipeline) ?? (await this.refresh(pipeline));
    if (session.status === 'RUNNING') {
      return session;
    }
    if (!ON_ITS_WAY.has(session.status)) {
      session = await this.start(pipeline);
    }
    return new Promise<ISession>((resolve, reject) => {
      let timer: ReturnType<typeof setInterval> | undefined;
      const finish = (): void => {
        clearInterval(timer);
        this._changed.disconnect(onChange);
      };
      const check = (current: ISession): void => {
        if (!isSamePath(current.pipeline_path, pipeline)) {
          return;
        }
        if (current.status === 'RUNNING') {
          finish();
          resolve(current);
        } else if (!ON_ITS_WAY.has(current.status)) {
          finish();
          reject(new SessionError(current.message ?? '', current));
        } else {
          onStatus?.(current);
        }
      };
      const onChange = (_: this, current: ISession): void => check(current);
      this._changed.connect(onChange);
      // Events are the fast path; reading now and then covers missed ones.
      timer = setInterval(() => {
        this.refresh(pipeline).catch(error => {
          finish();
          reject(error);
        });
      }, this._pollMs);
      check(session);
    });
  }

  private _update(session: ISession): ISession {
    const key = normalize(session.pipeline_path);
    const known = this._sessions.get(key);
    this._sessions.set(key, session);
    if (!known || known.status !== session.status || known.message !== session.message) {
      this._changed.emit(session);
    }
    return session;
  }

  private _onEvent(_: unknown, event: OrchestEvent): void {
    if (event.type === 'session') {
      const key = normalize(event.session.pipeline_path);
      this._events.set(key, (this._events.get(key) ?? 0) + 1);
      this._update(event.session);
    } else if (event.type === 'reset') {
      // Changes may have been missed: read the known sessions again.
      for (const session of [...this._sessions.values()]) {
        this.refresh(session.pipeline_path).catch(error =>
          console.warn('orchest-jlab: cannot read the session of', session.pipeline_path, error)
        );
      }
    }
  }

  private _sessions = new Map<string, ISession>();
  /** Session events received, by pipeline. */
  private _events = new Map<string, number>();
  private _changed = new Signal<this, ISession>(this);
  private _disposed = false;
  private _pollMs: number;
}

function normalize(path: string): string {
  return path
    .split('/')
    .filter(p => p && p !== '.')
    .join('/');
}
