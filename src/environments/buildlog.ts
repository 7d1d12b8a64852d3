/**
 * The log of an environment's builds as the log view shows it: the last
 * build's log read through the REST API, joined with the lines that arrive
 * live over the websocket (some of which the read may already hold).
 */

import { ISignal, Signal } from '@lumino/signaling';

import { IBuild } from '../api';
import { IBuildEvent } from '../events';

/**
 * Join a log read through the API with the lines received live meanwhile:
 * the live lines the text already ends with are not repeated. An unfinished
 * last line of the text is dropped when live lines follow (the complete line
 * arrives live).
 */
export function joinLog(text: string, live: readonly string[]): string[] {
  const lines = text.split('\n');
  const partial = lines.pop() ?? '';
  if (!live.length) {
    return partial ? [...lines, partial] : lines;
  }
  // The longest run of live lines that the text's complete lines end with.
  let overlap = Math.min(lines.length, live.length);
  for (; overlap > 0; overlap--) {
    let same = true;
    for (let i = 0; i < overlap && same; i++) {
      same = lines[lines.length - overlap + i] === live[i];
    }
    if (same) {
      break;
    }
  }
  return [...lines, ...live.slice(overlap)];
}

const ORDER = ['PENDING', 'BUILDING', 'SUCCESS', 'FAILURE', 'ABORTED'];

/** Whether a record of the same build is at a later status. */
function isNewer(record: IBuild, than: IBuild): boolean {
  return ORDER.indexOf(record.status) > ORDER.indexOf(than.status);
}

/**
 * The build log of one environment of one project.
 */
export class BuildLogModel {
  constructor(readonly environmentUuid: string) {}

  /** The build shown (the last one), or null before the first. */
  get build(): IBuild | null {
    return this._build;
  }

  /** The lines of its log. */
  get lines(): readonly string[] {
    return this._lines;
  }

  /** Whether the log is being read (live lines wait for it). */
  get loading(): boolean {
    return this._loading;
  }

  /** The log or the build changed. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** A read of the log starts: live lines are kept aside until `loaded`. */
  startLoading(): void {
    this._loading = true;
    this._waiting = [];
  }

  /**
   * The last build and its log as read through the API (`build` null: never
   * built).
   */
  loaded(build: IBuild | null, text: string): void {
    const waiting = this._waiting;
    this._loading = false;
    this._waiting = [];
    // A build that started while the log was read replaces what was read.
    if (this._build && build && this._build.uuid !== build.uuid && this._buildStartedLive) {
      this._lines = [...waiting];
    } else {
      // Events may already have told more than the read (a later status).
      if (build && !(this._build && this._build.uuid === build.uuid && isNewer(this._build, build))) {
        this._build = build;
      }
      this._lines = joinLog(text, waiting);
    }
    this._buildStartedLive = false;
    this._changed.emit();
  }

  /** A build was started (the answer of the API): show it. */
  started(build: IBuild): void {
    if (!this._build || this._build.uuid !== build.uuid) {
      this._lines = [];
    } else if (!isNewer(build, this._build)) {
      return; // events already told more
    }
    this._build = build;
    this._changed.emit();
  }

  /**
   * Apply a build event of this environment's project (other environments'
   * are ignored). Returns whether the log or the build changed.
   */
  apply(event: IBuildEvent): boolean {
    if (event.environment_uuid !== this.environmentUuid) {
      return false;
    }
    if (!this._build || event.build_uuid !== this._build.uuid) {
      // A new build: its log starts empty.
      this._build = event.build ?? {
        uuid: event.build_uuid,
        environment_uuid: event.environment_uuid,
        image: '',
        status: event.status
      };
      this._lines = [];
      this._waiting = [];
      this._buildStartedLive = this._loading;
    } else if (event.build) {
      this._build = event.build;
    } else if (this._build.status !== event.status) {
      this._build = { ...this._build, status: event.status };
    }
    if (event.line !== undefined) {
      if (this._loading) {
        this._waiting.push(event.line);
      } else {
        this._lines.push(event.line);
      }
    }
    this._changed.emit();
    return true;
  }

  private _build: IBuild | null = null;
  private _lines: string[] = [];
  private _waiting: string[] = [];
  private _loading = false;
  private _buildStartedLive = false;
  private _changed = new Signal<this, void>(this);
}
