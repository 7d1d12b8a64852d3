/**
 * The REST and websocket clients, against a fake fetch and a fake WebSocket.
 */
import { ServerConnection } from '@jupyterlab/services';

import { APIError, OrchestAPI } from '../api';
import { eventsUrl, EventsClient, OrchestEvent } from '../events';

class FakeSocket {
  static instances: FakeSocket[] = [];
  constructor(readonly url: string) {
    FakeSocket.instances.push(this);
  }
  onopen: (() => void) | null = null;
  onmessage: ((message: { data: string }) => void) | null = null;
  onclose: (() => void) | null = null;
  closed = false;
  send(data: unknown): void {
    this.messages.push(data);
  }
  close(): void {
    this.closed = true;
  }
  receive(value: unknown): void {
    this.onmessage?.({ data: JSON.stringify(value) });
  }
  messages: unknown[] = [];
}

function settings(overrides: Partial<ServerConnection.ISettings> = {}): ServerConnection.ISettings {
  return ServerConnection.makeSettings({
    baseUrl: 'http://localhost:8888/lab-base/',
    wsUrl: 'ws://localhost:8888/lab-base/',
    token: 'secret',
    appendToken: false,
    WebSocket: FakeSocket as any,
    ...overrides
  });
}

describe('eventsUrl', () => {
  it('builds the URL from wsUrl, with the resume point', () => {
    expect(eventsUrl(settings())).toBe('ws://localhost:8888/lab-base/orchest/api/events');
    expect(eventsUrl(settings(), { since: 12, epoch: 'abc' })).toBe(
      'ws://localhost:8888/lab-base/orchest/api/events?since=12&epoch=abc'
    );
  });

  it('appends the token only when the settings say so, as JupyterLab does', () => {
    expect(eventsUrl(settings({ appendToken: true }))).toBe(
      'ws://localhost:8888/lab-base/orchest/api/events?token=secret'
    );
    expect(eventsUrl(settings({ appendToken: true, token: '' }))).toBe(
      'ws://localhost:8888/lab-base/orchest/api/events'
    );
  });
});

describe('EventsClient', () => {
  beforeEach(() => {
    FakeSocket.instances = [];
    jest.useFakeTimers();
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('emits events in order, resumes after a disconnect, passes on resets', () => {
    const client = new EventsClient({ serverSettings: settings() });
    const received: OrchestEvent[] = [];
    client.received.connect((_, event) => received.push(event));
    client.start();
    const first = FakeSocket.instances[0];
    first.onopen?.();
    expect(client.status).toBe('connected');
    // Every message is an array of events, in order.
    first.receive([{ type: 'hello', epoch: 'e1', seq: 40 }]);
    first.receive([
      { type: 'log', seq: 41, run_uuid: 'r', step_uuid: 's', line: 'a' },
      { type: 'log', seq: 41, run_uuid: 'r', step_uuid: 's', line: 'a' }, // replayed twice
      { type: 'step', seq: 42, run_uuid: 'r', step_uuid: 's', state: 'RUNNING' }
    ]);
    // The first hello says to read the state again (nothing before it is replayed).
    expect(received.map(e => e.type)).toEqual(['reset', 'log', 'step']);
    expect(received.slice(1).map(e => (e as any).seq)).toEqual([41, 42]);
    expect(client.lastSeq).toBe(42);

    first.onclose?.();
    expect(client.status).toBe('disconnected');
    jest.advanceTimersByTime(600);
    const second = FakeSocket.instances[1];
    expect(second.url).toBe('ws://localhost:8888/lab-base/orchest/api/events?since=42&epoch=e1');
    second.onopen?.();
    second.receive([
      { type: 'hello', epoch: 'e2', seq: 3 },
      { type: 'reset', epoch: 'e2', seq: 3 }
    ]);
    second.receive({ type: 'run', seq: 4, run_uuid: 'r', status: 'SUCCESS' }); // a lone event too
    second.receive([{ type: 'log', seq: 5, run_uuid: 'r', step_uuid: 's', line: 'b' }, null, 'x']);
    expect(received.map(e => e.type)).toEqual(['reset', 'log', 'step', 'reset', 'run', 'log']);
    expect(client.lastSeq).toBe(5);
    client.dispose();
    expect(second.closed).toBe(true);
  });

  it('backs off between attempts, up to 10 s', () => {
    const client = new EventsClient({ serverSettings: settings() });
    client.start();
    for (let i = 0; i < 8; i++) {
      FakeSocket.instances[FakeSocket.instances.length - 1].onclose?.();
      jest.advanceTimersByTime(10000);
    }
    expect(FakeSocket.instances).toHaveLength(9);
    client.dispose();
  });
});

describe('OrchestAPI', () => {
  interface ICall {
    url: string;
    method: string;
    body: string;
  }
  function api(respond: (url: string) => Response): { client: OrchestAPI; calls: ICall[] } {
    const calls: ICall[] = [];
    // ServerConnection.makeRequest passes a Request.
    const fetch = async (request: Request): Promise<Response> => {
      const body = request.method === 'GET' ? '' : await request.text();
      // (makeRequest adds a cache-busting timestamp to GET requests: dropped.)
      const url = request.url.replace(/[?&]\d{10,}$/, '');
      calls.push({ url, method: request.method, body });
      return respond(request.url);
    };
    return { client: new OrchestAPI({ serverSettings: settings({ fetch: fetch as any }) }), calls };
  }

  const json = (value: unknown, status = 200): Response =>
    ({
      ok: status < 400,
      status,
      statusText: status === 409 ? 'Conflict' : 'OK',
      text: async () => JSON.stringify(value)
    }) as unknown as Response;

  it('builds URLs under orchest/api with encoded paths and queries', async () => {
    const { client, calls } = api(url =>
      url.includes('/runs') ? json({ runs: [] }) : json({ path: 'a b/p.orchest', pipeline: {}, report: {} })
    );
    await client.getPipeline('a b/p.orchest');
    await client.listRuns({ pipeline: 'a b/p.orchest', limit: 1 });
    expect(calls[0].url).toBe('http://localhost:8888/lab-base/orchest/api/pipelines/a%20b/p.orchest');
    expect(calls[1].url).toBe(
      'http://localhost:8888/lab-base/orchest/api/runs?pipeline=a%20b%2Fp.orchest&limit=1'
    );
  });

  it('surfaces the server message of errors', async () => {
    const { client } = api(() =>
      json({ message: 'An interactive run of this pipeline is in progress.', errors: [{ run_uuid: 'r' }] }, 409)
    );
    const error = await client.startRun({ pipeline: 'p.orchest' }).catch(e => e);
    expect(error).toBeInstanceOf(APIError);
    expect(error.message).toBe('An interactive run of this pipeline is in progress.');
    expect(error.status).toBe(409);
    expect(error.errors).toEqual([{ run_uuid: 'r' }]);
  });

  it('posts runs as JSON and reads logs as text', async () => {
    const { client, calls } = api(url =>
      url.includes('/log')
        ? ({ ok: true, status: 200, text: async () => 'line 1\n' } as unknown as Response)
        : json({ uuid: 'r' }, 201)
    );
    await client.startRun({ pipeline: 'p.orchest', run_type: 'selection', steps: ['s'] });
    expect(calls[0].method).toBe('POST');
    expect(JSON.parse(calls[0].body)).toEqual({
      pipeline: 'p.orchest',
      run_type: 'selection',
      steps: ['s']
    });
    expect(await client.getStepLog('r', 's')).toBe('line 1\n');
  });

  it('calls the past-run, steps-of-a-file and sessions endpoints', async () => {
    const { client, calls } = api(url =>
      url.includes('/files/')
        ? ({ ok: true, status: 200, text: async () => '{"cells": []}' } as unknown as Response)
        : url.includes('/steps')
          ? json({ steps: [{ pipeline_path: 'p.orchest', step_uuid: 's', title: 'S' }] })
          : json({ path: 'a b/p-run-12345678.orchest', pipeline_path: 'a b/p.orchest', status: 'RUNNING' })
    );
    await client.getRunPipeline('r 1');
    expect(await client.getRunFile('r1', 'sub dir/n#1.ipynb')).toBe('{"cells": []}');
    expect(await client.copyRunPipeline('r1')).toEqual(
      expect.objectContaining({ path: 'a b/p-run-12345678.orchest' })
    );
    await client.copyRunPipeline('r1', 'copy.orchest');
    expect(await client.stepsOfFile('a b/n.ipynb')).toEqual([{ pipeline_path: 'p.orchest', step_uuid: 's', title: 'S' }]);
    await client.getSession('a b/p.orchest');
    await client.startSession('a b/p.orchest');
    await client.stopSession('a b/p.orchest');
    const base = 'http://localhost:8888/lab-base/orchest/api';
    expect(calls.map(c => `${c.method} ${c.url.replace(base, '')} ${c.body}`.trim())).toEqual([
      'GET /runs/r%201/pipeline',
      'GET /runs/r1/files/sub%20dir/n%231.ipynb',
      'POST /runs/r1/copy-pipeline {}',
      'POST /runs/r1/copy-pipeline {"path":"copy.orchest"}',
      'GET /steps?file=a%20b%2Fn.ipynb',
      'GET /sessions/a%20b/p.orchest',
      'POST /sessions {"pipeline":"a b/p.orchest"}',
      'DELETE /sessions/a%20b/p.orchest'
    ]);
  });

  it('creates, changes, deletes and builds environments of a project', async () => {
    const { client, calls } = api(url => {
      if (url.includes('/build/log')) {
        return { ok: true, status: 200, text: async () => 'step 1\n' } as unknown as Response;
      }
      if (calls[calls.length - 1].method === 'DELETE' && !url.includes('/build')) {
        return { ok: true, status: 204, statusText: 'No Content', text: async () => '' } as unknown as Response;
      }
      return json({ uuid: 'e' }, 200);
    });
    await client.createEnvironment('a b', { name: 'Data', network: true });
    await client.updateEnvironment('a b', 'e', { setup_script: 'echo hi\n' });
    expect(await client.deleteEnvironment('a b', 'e')).toBeUndefined();
    await client.buildEnvironment('a b', 'e', { force: true });
    await client.cancelBuild('a b', 'e');
    expect(await client.getBuildLog('a b', 'e')).toBe('step 1\n');
    const base = 'http://localhost:8888/lab-base/orchest/api/environments';
    expect(calls.map(c => `${c.method} ${c.url}`)).toEqual([
      `POST ${base}?project=a%20b`,
      `PATCH ${base}/e?project=a%20b`,
      `DELETE ${base}/e?project=a%20b`,
      `POST ${base}/e/build?project=a%20b&force=true`,
      `DELETE ${base}/e/build?project=a%20b`,
      `GET ${base}/e/build/log?project=a%20b`
    ]);
    expect(JSON.parse(calls[0].body)).toEqual({ name: 'Data', network: true });
    expect(JSON.parse(calls[1].body)).toEqual({ setup_script: 'echo hi\n' });
  });

  it("passes on the server's refusal to delete an environment in use", async () => {
    const message = 'The environment "Data" is in use by step "Load" of pipeline p.orchest; change it first.';
    const { client } = api(() => json({ message, errors: [{ message: 'step "Load"' }] }, 409));
    const error = await client.deleteEnvironment('', 'e').catch(e => e);
    expect(error).toBeInstanceOf(APIError);
    expect(error.status).toBe(409);
    expect(error.message).toBe(message);
  });
});
