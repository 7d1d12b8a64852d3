/**
 * The session tracker against an in-memory sessions server and a signal of
 * events, as the events client emits them.
 */
import { Signal } from '@lumino/signaling';

import type { ISession, SessionStatus } from '../api';
import type { OrchestEvent } from '../events';
import { ISessionAPI, SessionError, SessionTracker } from '../sessions';

const PATH = 'proj/p.orchest';

function session(status: SessionStatus, message: string | null = null, path = PATH): ISession {
  return {
    pipeline_path: path,
    project_path: 'proj',
    status,
    message,
    started: null,
    backend: 'local',
    environments: [],
    kernels: []
  };
}

/** A sessions server: status per pipeline, every change also sent as an event. */
class Server implements ISessionAPI {
  events = new Signal<this, OrchestEvent>(this);
  statuses = new Map<string, SessionStatus>();
  calls: string[] = [];
  seq = 0;

  get received() {
    return this.events;
  }

  set(path: string, status: SessionStatus, message: string | null = null, emit = true): void {
    this.statuses.set(path, status);
    if (emit) {
      this.events.emit({ type: 'session', seq: ++this.seq, session: session(status, message, path) });
    }
  }

  async listSessions(): Promise<ISession[]> {
    this.calls.push('LIST');
    return [...this.statuses]
      .filter(([, status]) => status !== 'STOPPED')
      .map(([path, status]) => session(status, null, path));
  }

  async getSession(path: string): Promise<ISession> {
    this.calls.push(`GET ${path}`);
    return session(this.statuses.get(path) ?? 'STOPPED', null, path);
  }

  async startSession(path: string): Promise<ISession> {
    this.calls.push(`POST ${path}`);
    const status = this.statuses.get(path);
    if (status !== 'RUNNING') {
      this.statuses.set(path, 'LAUNCHING');
    }
    return session(this.statuses.get(path)!, null, path);
  }

  async stopSession(path: string): Promise<ISession> {
    this.calls.push(`DELETE ${path}`);
    this.statuses.set(path, 'STOPPED');
    return session('STOPPED', null, path);
  }
}

const tick = () => new Promise(resolve => setTimeout(resolve, 0));

describe('SessionTracker', () => {
  it('follows session events and says when a status changes', async () => {
    const server = new Server();
    const tracker = new SessionTracker(server, server);
    const seen: string[] = [];
    tracker.changed.connect((_, s) => seen.push(`${s.pipeline_path}:${s.status}`));
    expect(tracker.session(PATH)).toBeNull();
    server.set(PATH, 'LAUNCHING');
    server.set(PATH, 'LAUNCHING'); // no change: not repeated
    server.set(`./${PATH}`, 'RUNNING');
    expect(tracker.session(PATH)!.status).toBe('RUNNING');
    expect(seen).toEqual([`${PATH}:LAUNCHING`, `./${PATH}:RUNNING`]);
    tracker.dispose();
    server.set(PATH, 'STOPPED');
    expect(seen).toHaveLength(2);
  });

  it('starts a stopped session and resolves once it runs', async () => {
    const server = new Server();
    const tracker = new SessionTracker(server, server);
    const heard: SessionStatus[] = [];
    const running = tracker.ensureRunning(PATH, s => heard.push(s.status));
    await tick();
    expect(server.calls).toEqual([`GET ${PATH}`, `POST ${PATH}`]);
    let done = false;
    void running.then(() => (done = true));
    await tick();
    expect(done).toBe(false);
    server.set('other/p.orchest', 'RUNNING'); // another pipeline's session
    await tick();
    expect(done).toBe(false);
    server.set(PATH, 'RUNNING');
    expect((await running).status).toBe('RUNNING');
    expect(heard).toEqual(['LAUNCHING']);
  });

  it('does not start a session that runs or is launching', async () => {
    const server = new Server();
    const tracker = new SessionTracker(server, server);
    server.set(PATH, 'RUNNING');
    expect((await tracker.ensureRunning(PATH)).status).toBe('RUNNING');
    server.set(PATH, 'LAUNCHING');
    const running = tracker.ensureRunning(PATH);
    server.set(PATH, 'RUNNING');
    await running;
    expect(server.calls).toEqual([]);
  });

  it('fails with the message of a session that fails, or is stopped', async () => {
    const server = new Server();
    const tracker = new SessionTracker(server, server);
    const failing = tracker.ensureRunning(PATH);
    await tick();
    server.set(PATH, 'FAILURE', 'The image of environment "Python" could not be built.');
    await expect(failing).rejects.toThrow('The image of environment "Python" could not be built.');
    await expect(failing).rejects.toBeInstanceOf(SessionError);

    const stopped = tracker.ensureRunning(PATH);
    await tick();
    server.set(PATH, 'STOPPING');
    const error = await stopped.catch(e => e);
    expect(error).toBeInstanceOf(SessionError);
    expect((error as SessionError).session.status).toBe('STOPPING');
  });

  it('reads the session again when events were missed', async () => {
    const server = new Server();
    const tracker = new SessionTracker(server, server, { pollMs: 20 });
    const running = tracker.ensureRunning(PATH);
    await tick();
    server.set(PATH, 'RUNNING', null, false); // the event was lost
    expect((await running).status).toBe('RUNNING');

    server.set(PATH, 'STOPPED', null, false);
    server.events.emit({ type: 'reset' });
    await tick();
    expect(tracker.session(PATH)!.status).toBe('STOPPED');
  });

  it('never lets an answer made before an event undo it', async () => {
    const server = new Server();
    const tracker = new SessionTracker(server, server);
    // The answer to a GET sent while the session was launching arrives after
    // the event that says it runs.
    let answer: (session: ISession) => void = () => undefined;
    server.getSession = () => new Promise(resolve => (answer = resolve));
    const reading = tracker.refresh(PATH);
    server.set(PATH, 'RUNNING');
    answer(session('LAUNCHING'));
    expect((await reading).status).toBe('RUNNING');
    expect(tracker.session(PATH)!.status).toBe('RUNNING');
    // Without an event meanwhile, the answer is the news.
    server.getSession = async path => session('STOPPED', null, path);
    expect((await tracker.refresh(PATH)).status).toBe('STOPPED');
    expect(tracker.session(PATH)!.status).toBe('STOPPED');
  });

  it('lists the active sessions, and reads them all again', async () => {
    const server = new Server();
    const tracker = new SessionTracker(server, server);
    server.set('b/p.orchest', 'RUNNING', null, false);
    server.set('a/p.orchest', 'LAUNCHING', null, false);
    server.set('c/p.orchest', 'STOPPED', null, false);
    expect(tracker.active()).toEqual([]);
    const listed = await tracker.refreshAll();
    expect(listed.map(s => `${s.pipeline_path}:${s.status}`)).toEqual(['a/p.orchest:LAUNCHING', 'b/p.orchest:RUNNING']);
    // Stopped elsewhere, the event missed: the next reading says so.
    server.set('b/p.orchest', 'STOPPED', null, false);
    const seen: string[] = [];
    tracker.changed.connect((_, s) => seen.push(`${s.pipeline_path}:${s.status}`));
    await tracker.refreshAll();
    expect(tracker.active().map(s => s.pipeline_path)).toEqual(['a/p.orchest']);
    expect(tracker.session('b/p.orchest')!.status).toBe('STOPPED');
    expect(seen).toEqual(['b/p.orchest:STOPPED']);
  });

  it('keeps an event that came while the list was on its way', async () => {
    const server = new Server();
    const tracker = new SessionTracker(server, server);
    let answer: (sessions: ISession[]) => void = () => undefined;
    server.listSessions = () => new Promise(resolve => (answer = resolve));
    const reading = tracker.refreshAll();
    server.set(PATH, 'STOPPED');
    answer([session('RUNNING')]);
    await reading;
    expect(tracker.session(PATH)!.status).toBe('STOPPED');
  });
});
