/**
 * The client of the websocket of live events, `/orchest/api/events`.
 *
 * One connection serves the whole page. It reconnects by itself, resuming
 * with `?since=<last seq>&epoch=<epoch>`; when the server cannot replay what
 * was missed it says `reset`, which this client passes on so that views
 * reload their state through the REST API.
 */

import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';
import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import { API_PATH, BuildStatus, IBuild, IRunStep, IService, ISession, JobStatus, RunStatus, StepState } from './api';

/** A run was created (`run` as the engine describes it). */
export interface IRunCreatedEvent {
  type: 'run-created';
  seq: number;
  run_uuid: string;
  /** The pipeline file, relative to the server's root (as in the REST `Run`). */
  pipeline_path: string;
  run: {
    uuid: string;
    project_dir: string;
    pipeline_file: string;
    pipeline_uuid: string | null;
    pipeline_name?: string | null;
    run_type: string;
    interactive: boolean;
    status: RunStatus;
    created: string;
    /** Given when the run starts; null only when its database could not be written then. */
    number?: number | null;
    steps: { [uuid: string]: IRunStep };
    [key: string]: unknown;
  };
}

/** A run's status changed. */
export interface IRunStatusEvent {
  type: 'run';
  seq: number;
  run_uuid: string;
  status: RunStatus;
  started: string | null;
  finished: string | null;
  error: string | null;
  warnings?: string[];
  snapshot_dir?: string | null;
}

/** A step's state changed. */
export interface IStepEvent {
  type: 'step';
  seq: number;
  run_uuid: string;
  step_uuid: string;
  state: StepState;
  started: string | null;
  finished: string | null;
  error: string | null;
  log_path: string | null;
  attempts?: number;
  cache_key?: string | null;
  cached_from?: string | null;
  /** The worker that ran it, on a backend of several machines (dask). */
  worker?: string;
  /** Where on that worker: in its environment's image built there, or on its host. */
  runtime?: 'docker' | 'host';
  /** With runtime docker: the image's tag. */
  image?: string;
}

/** A line of a step's log. */
export interface ILogEvent {
  type: 'log';
  seq: number;
  run_uuid: string;
  step_uuid: string;
  line: string;
}

/** A job was created, started, fired, paused, resumed, changed, cancelled or ended. */
export interface IJobEvent {
  type: 'job';
  seq: number;
  job_uuid: string;
  status: JobStatus;
  next_fire: string | null;
  last_fired: string | null;
  fire_count: number;
  run_count: number;
}

/** A run of a job was queued, started or ended. */
export interface IJobRunEvent {
  type: 'job-run';
  seq: number;
  job_uuid: string;
  index: number;
  status: RunStatus;
  /** Null while queued. */
  run_uuid: string | null;
}

/** A run of a job was deleted by its job's retention. */
export interface IJobRunDeletedEvent {
  type: 'job-run-deleted';
  seq: number;
  job_uuid: string;
  index: number;
  run_uuid: string | null;
}

/** A job was deleted. */
export interface IJobDeletedEvent {
  type: 'job-deleted';
  seq: number;
  job_uuid: string;
}

/** The events about jobs. */
/** A one-off job's runs have all ended (once per job). */
export interface IJobEndedEvent {
  type: 'job-ended';
  seq: number;
  job_uuid: string;
  status: JobStatus;
}

/** A job fired: its runs of that fire are recorded. */
export interface IJobFiredEvent {
  type: 'job-fired';
  seq: number;
  job_uuid: string;
  fire: number | null;
  runs: number;
  scheduled: string | null;
}

export type JobEvent =
  | IJobEvent
  | IJobRunEvent
  | IJobRunDeletedEvent
  | IJobDeletedEvent
  | IJobEndedEvent
  | IJobFiredEvent;

/**
 * A build of an environment changed status (`build` is its record), or wrote
 * a line of its log (`line`, without its newline).
 */
export interface IBuildEvent {
  type: 'build';
  seq: number;
  build_uuid: string;
  environment_uuid: string;
  /** The project folder, absolute on the server. */
  project_dir: string;
  /** The project folder relative to the server's root, when the server adds it. */
  project_path?: string;
  status: BuildStatus;
  build?: IBuild;
  line?: string;
}

/** An interactive session changed status. */
export interface ISessionEvent {
  type: 'session';
  seq: number;
  session: ISession;
}

/** A service of a session or run changed status (docs/services.md). */
export interface IServiceEvent {
  type: 'service';
  seq: number;
  service: IService;
}

/** A line a service's container wrote. */
export interface IServiceLogEvent {
  type: 'service-log';
  seq: number;
  session_uuid: string;
  name: string;
  line: string;
}

/** An environment was created, changed or deleted through the API. */
export interface IEnvironmentEvent {
  type: 'environment';
  seq: number;
  action: 'created' | 'updated' | 'deleted';
  /** The project folder, relative to the server's root ("" for the root). */
  project_path: string;
  environment_uuid: string;
}

/**
 * Reload state through the REST API: events were missed, or the first
 * connection is now listening (what happened before it is not replayed).
 */
export interface IResetEvent {
  type: 'reset';
}

/**
 * Everything the events client emits.
 */
export type OrchestEvent =
  | IRunCreatedEvent
  | IRunStatusEvent
  | IStepEvent
  | ILogEvent
  | IBuildEvent
  | IEnvironmentEvent
  | ISessionEvent
  | IServiceEvent
  | IServiceLogEvent
  | JobEvent
  | IResetEvent;

/**
 * The state of the connection.
 */
export type ConnectionStatus = 'connecting' | 'connected' | 'disconnected';

/**
 * The websocket URL of the events, authenticated as JupyterLab's own
 * websockets are: the token is appended only when the settings say so (in
 * the browser the session cookie authenticates).
 */
export function eventsUrl(
  settings: Pick<ServerConnection.ISettings, 'wsUrl' | 'token' | 'appendToken'>,
  resume?: { since: number; epoch: string }
): string {
  const query: { [key: string]: string } = {};
  if (resume) {
    query.since = String(resume.since);
    query.epoch = resume.epoch;
  }
  if (settings.appendToken && settings.token) {
    query.token = settings.token;
  }
  return URLExt.join(settings.wsUrl, API_PATH, 'events') + URLExt.objectToQueryString(query);
}

/**
 * The live events of the server.
 */
export class EventsClient implements IDisposable {
  constructor(options: { serverSettings?: ServerConnection.ISettings } = {}) {
    this.serverSettings = options.serverSettings ?? ServerConnection.makeSettings();
  }

  readonly serverSettings: ServerConnection.ISettings;

  /** Every event, in order; `reset` after events were missed. */
  get received(): ISignal<this, OrchestEvent> {
    return this._received;
  }

  /** The connection opened or closed. */
  get statusChanged(): ISignal<this, ConnectionStatus> {
    return this._statusChanged;
  }

  get status(): ConnectionStatus {
    return this._status;
  }

  get isDisposed(): boolean {
    return this._disposed;
  }

  /** The last sequence number seen. */
  get lastSeq(): number {
    return this._seq;
  }

  /**
   * Connect (once; later calls do nothing while connected or connecting).
   */
  start(): void {
    if (this._disposed || this._socket) {
      return;
    }
    this._open();
  }

  dispose(): void {
    if (this._disposed) {
      return;
    }
    this._disposed = true;
    clearTimeout(this._retryTimer);
    if (this._socket) {
      this._socket.onclose = null;
      this._socket.close();
      this._socket = null;
    }
    Signal.clearData(this);
  }

  private _open(): void {
    const resume = this._epoch !== null ? { since: this._seq, epoch: this._epoch } : undefined;
    const socket = new this.serverSettings.WebSocket(eventsUrl(this.serverSettings, resume));
    this._socket = socket;
    this._setStatus('connecting');
    socket.onmessage = (message: MessageEvent) => this._onMessage(message);
    socket.onopen = () => {
      this._attempts = 0;
      this._setStatus('connected');
    };
    socket.onclose = () => {
      this._socket = null;
      this._setStatus('disconnected');
      this._scheduleRetry();
    };
  }

  private _scheduleRetry(): void {
    if (this._disposed) {
      return;
    }
    // 0.5 s, 1 s, 2 s … at most 10 s between attempts.
    const delay = Math.min(10000, 500 * 2 ** this._attempts);
    this._attempts++;
    this._retryTimer = setTimeout(() => this._open(), delay) as unknown as number;
  }

  private _onMessage(message: MessageEvent): void {
    let data: any;
    try {
      data = JSON.parse(message.data as string);
    } catch {
      return;
    }
    // A message is an array of events in order (one message per batch
    // costs the server far less than one per log line).
    for (const event of Array.isArray(data) ? data : [data]) {
      this._onEvent(event);
    }
  }

  private _onEvent(data: any): void {
    if (!data || typeof data.type !== 'string') {
      return;
    }
    if (data.type === 'hello') {
      const fresh = this._epoch === null;
      this._epoch = data.epoch;
      if (fresh) {
        // A first connection: what happened before it is not replayed, and
        // views may have read the REST API before the socket listened; from
        // now on every change arrives here, so they read it again.
        this._seq = data.seq;
        this._received.emit({ type: 'reset' });
      }
      return;
    }
    if (data.type === 'reset') {
      this._epoch = data.epoch ?? this._epoch;
      this._seq = data.seq ?? this._seq;
      this._received.emit({ type: 'reset' });
      return;
    }
    if (typeof data.seq === 'number') {
      if (data.seq <= this._seq) {
        return; // replayed twice
      }
      this._seq = data.seq;
    }
    this._received.emit(data as OrchestEvent);
  }

  private _setStatus(status: ConnectionStatus): void {
    if (status !== this._status) {
      this._status = status;
      this._statusChanged.emit(status);
    }
  }

  private _socket: WebSocket | null = null;
  private _epoch: string | null = null;
  private _seq = 0;
  private _attempts = 0;
  private _retryTimer = 0;
  private _disposed = false;
  private _status: ConnectionStatus = 'disconnected';
  private _received = new Signal<this, OrchestEvent>(this);
  private _statusChanged = new Signal<this, ConnectionStatus>(this);
}
