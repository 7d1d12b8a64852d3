/**
 * The live services and a service's log, against an in-memory services
 * server and a signal of events as the events client emits them; the REST
 * client's services URLs against a fake fetch.
 */
import { ServerConnection } from '@jupyterlab/services';
import { Signal } from '@lumino/signaling';

import { IService, IServiceLog, OrchestAPI, ServicesOf, ServiceStatus } from '../../api';
import type { OrchestEvent } from '../../events';
import { IServicesAPI, ServiceLog, ServiceMonitor, serviceUrls } from '../live';

const PATH = 'proj/p.orchest';

function service(name: string, status: ServiceStatus, order: number | null = null, run?: string): IService {
  const session = run ?? '3f2a9c0d1e4b5a69';
  return {
    name,
    owner: run ? { kind: 'run', run_uuid: run, pipeline_path: PATH } : { kind: 'session', pipeline_path: PATH },
    session_uuid: session,
    scope: run ? 'noninteractive' : 'interactive',
    status,
    message: status === 'FAILURE' ? 'exited with code 1' : null,
    image: 'redis',
    image_spec: 'redis',
    order,
    internal_hostname: `${name}-${session}`,
    hostnames: [name, `${name}-${session}`],
    ports: [8000],
    external_urls: { '8000': `http://localhost:8888/base/orchest/services/service-${name}-${session}_8000/` },
    base_paths: { '8000': `/base/orchest/services/service-${name}-${session}_8000` },
    started: null,
    finished: null
  };
}

/** A services server whose answers wait until released. */
class Server implements IServicesAPI {
  events = new Signal<this, OrchestEvent>(this);
  services: IService[] = [];
  log = '';
  calls: string[] = [];
  hold = false;
  private _held: (() => void)[] = [];
  seq = 0;

  get received() {
    return this.events;
  }

  emit(event: Record<string, unknown>): void {
    this.events.emit({ seq: ++this.seq, ...event } as unknown as OrchestEvent);
  }

  release(): void {
    this._held.splice(0).forEach(go => go());
  }

  private async _answer<T>(value: () => T): Promise<T> {
    if (this.hold) {
      await new Promise<void>(resolve => this._held.push(resolve));
    }
    return value();
  }

  listServices(of: ServicesOf): Promise<IService[]> {
    this.calls.push(`list ${JSON.stringify(of)}`);
    const answer = [...this.services];
    return this._answer(() => answer);
  }

  getServiceLog(of: ServicesOf, name: string): Promise<IServiceLog> {
    this.calls.push(`log ${name}`);
    const log = this.log;
    return this._answer(() => ({ name, log, truncated: false }));
  }
}

const flush = (): Promise<void> => new Promise(resolve => setTimeout(resolve, 0));

describe('ServiceMonitor', () => {
  it('reads the services of a session once watched, in start order, and follows their events', async () => {
    const server = new Server();
    server.services = [service('web', 'RUNNING', 2), service('db', 'RUNNING', 1)];
    const monitor = new ServiceMonitor(server, server);
    const of = { pipeline: PATH };
    expect(monitor.services(of)).toBeNull();
    const handle = monitor.watch({ pipeline: './proj/p.orchest' });
    const second = monitor.watch(of);
    await flush();
    expect(server.calls).toEqual([`list {"pipeline":"./proj/p.orchest"}`]);
    expect(monitor.services(of)!.map(s => s.name)).toEqual(['db', 'web']);

    const changes: ServicesOf[] = [];
    monitor.changed.connect((_, changed) => changes.push(changed));
    server.emit({ type: 'service', service: service('web', 'FAILURE', 2) });
    // Another pipeline's, and a run's, are not this session's.
    server.emit({ type: 'service', service: { ...service('x', 'RUNNING'), owner: { kind: 'session', pipeline_path: 'q.orchest' } } });
    server.emit({ type: 'service', service: service('web', 'RUNNING', 2, 'run-1') });
    expect(changes).toHaveLength(1);
    expect(monitor.services(of)!.find(s => s.name === 'web')!.message).toBe('exited with code 1');

    // The session's own list is whole: stopped, it has none.
    server.emit({ type: 'session', session: { pipeline_path: PATH, status: 'STOPPED', services: [] } });
    expect(monitor.services(of)).toEqual([]);

    handle.dispose();
    second.dispose();
    expect(monitor.services(of)).toBeNull();
    monitor.dispose();
  });

  it('never lets an answer older than an event undo it, and reads again on reset', async () => {
    const server = new Server();
    server.services = [service('db', 'STARTING', 0)];
    server.hold = true;
    const monitor = new ServiceMonitor(server, server);
    const of = { run: 'run-1' };
    monitor.watch(of);
    server.services = [service('db', 'STARTING', 0, 'run-1')];
    // The answer was made before this event arrived.
    server.emit({ type: 'service', service: service('db', 'RUNNING', 0, 'run-1') });
    server.release();
    await flush();
    expect(monitor.services(of)!.map(s => s.status)).toEqual(['RUNNING']);

    server.hold = false;
    server.services = [service('db', 'STOPPED', 0, 'run-1'), service('cache', 'STOPPED', 1, 'run-1')];
    server.emit({ type: 'reset' });
    await flush();
    expect(monitor.services(of)!.map(s => `${s.name} ${s.status}`)).toEqual(['db STOPPED', 'cache STOPPED']);
    expect(server.calls).toEqual(['list {"run":"run-1"}', 'list {"run":"run-1"}']);
  });

  it('says why the services could not be read', async () => {
    const server = new Server();
    server.listServices = async () => {
      throw new Error('No run run-9.');
    };
    const monitor = new ServiceMonitor(server, server);
    monitor.watch({ run: 'run-9' });
    await flush();
    expect(monitor.error({ run: 'run-9' })).toBe('No run run-9.');
    expect(monitor.services({ run: 'run-9' })).toBeNull();
  });
});

describe('ServiceLog', () => {
  it('reads the end of the log, then follows its lines without doubling those that crossed', async () => {
    const server = new Server();
    server.log = 'ready\nGET /\n';
    server.hold = true;
    const log = new ServiceLog(server, server, { pipeline: PATH }, 'web', '3f2a9c0d1e4b5a69');
    expect(log.loading).toBe(true);
    // Sent while the answer was on its way: one line it has, one it has not.
    server.emit({ type: 'service-log', session_uuid: '3f2a9c0d1e4b5a69', name: 'web', line: 'GET /' });
    server.emit({ type: 'service-log', session_uuid: '3f2a9c0d1e4b5a69', name: 'web', line: 'GET /x' });
    server.emit({ type: 'service-log', session_uuid: '3f2a9c0d1e4b5a69', name: 'db', line: 'other' });
    server.emit({ type: 'service-log', session_uuid: 'run-1', name: 'web', line: 'other run' });
    server.release();
    await flush();
    expect(log.lines).toEqual(['ready', 'GET /', 'GET /x']);
    let changes = 0;
    log.changed.connect(() => changes++);
    server.emit({ type: 'service-log', session_uuid: '3f2a9c0d1e4b5a69', name: 'web', line: 'bye' });
    expect(log.lines[3]).toBe('bye');
    expect(changes).toBe(1);

    server.hold = false;
    server.log = 'restarted\n';
    server.emit({ type: 'reset' });
    await flush();
    expect(log.lines).toEqual(['restarted']);
    log.dispose();
  });
});

describe('services URLs', () => {
  it('opens a service on the page’s own origin, by port', () => {
    expect(serviceUrls(service('web', 'RUNNING'), 'https://lab.example.org')).toEqual([
      { port: 8000, url: 'https://lab.example.org/base/orchest/services/service-web-3f2a9c0d1e4b5a69_8000/' }
    ]);
    expect(serviceUrls({ ...service('web', 'RUNNING'), external_urls: {} }, 'https://x')).toEqual([]);
  });

  it('asks the REST API for the services of a session or run and their logs', async () => {
    const urls: string[] = [];
    const fetch = async (request: Request): Promise<Response> => {
      urls.push(request.url.replace(/[?&]\d{10,}$/, ''));
      const body = request.url.includes('/log') ? { name: 'web', log: '', truncated: false } : { services: [] };
      return { ok: true, status: 200, text: async () => JSON.stringify(body) } as unknown as Response;
    };
    const api = new OrchestAPI({
      serverSettings: ServerConnection.makeSettings({ baseUrl: 'http://h/base/', fetch: fetch as any })
    });
    expect(await api.listServices({ pipeline: 'a b/p.orchest' })).toEqual([]);
    await api.listServices({ run: 'r1' });
    await api.listServices();
    expect((await api.getServiceLog({ run: 'r1' }, 'web')).name).toBe('web');
    expect(urls).toEqual([
      'http://h/base/orchest/api/services?pipeline=a%20b%2Fp.orchest',
      'http://h/base/orchest/api/services?run=r1',
      'http://h/base/orchest/api/services',
      'http://h/base/orchest/api/services/log?run=r1&name=web'
    ]);
  });
});
