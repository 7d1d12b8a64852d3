/**
 * The jobs endpoints of the REST client, against a fake fetch: URLs, methods,
 * bodies, and the server's problems of a refused grid.
 */
import { ServerConnection } from '@jupyterlab/services';

import { APIError, OrchestAPI } from '../../api';

/** A client whose fetch records each request and answers with the next of `answers`. */
function client(answers: { status: number; body: unknown }[]): {
  api: OrchestAPI;
  sent: { method: string; url: string; body: unknown }[];
} {
  const sent: { method: string; url: string; body: unknown }[] = [];
  const fetch = async (request: Request): Promise<Response> => {
    const text = request.method === 'GET' ? '' : await request.text();
    sent.push({
      method: request.method,
      url: request.url.replace(/[?&]\d{10,}$/, '').replace('http://localhost:8888/orchest/api/', ''),
      body: text ? JSON.parse(text) : null
    });
    const answer = answers.shift() ?? { status: 200, body: {} };
    const raw = answer.body === null ? '' : JSON.stringify(answer.body);
    return { ok: answer.status < 400, status: answer.status, statusText: '', text: async () => raw } as Response;
  };
  const serverSettings = ServerConnection.makeSettings({ baseUrl: 'http://localhost:8888/', fetch: fetch as any });
  return { api: new OrchestAPI({ serverSettings }), sent };
}

describe('the jobs endpoints', () => {
  it('list, create, start, change and delete jobs', async () => {
    const { api, sent } = client([
      { status: 200, body: { jobs: [{ uuid: 'j' }] } },
      { status: 201, body: { uuid: 'j' } },
      { status: 200, body: { uuid: 'j', status: 'PENDING' } },
      { status: 200, body: { uuid: 'j' } },
      { status: 201, body: { uuid: 'k' } },
      { status: 204, body: null }
    ]);
    expect(await api.listJobs('a b/p.orchest')).toEqual([{ uuid: 'j' }]);
    await api.createJob('a b/p.orchest', { name: 'Grid', schedule: { kind: 'now' } });
    expect((await api.jobAction('j', 'start')).status).toBe('PENDING');
    await api.updateJob('j', { name: 'Renamed' });
    expect((await api.duplicateJob('j')).uuid).toBe('k');
    await api.deleteJob('j');
    expect(sent).toEqual([
      { method: 'GET', url: 'jobs?pipeline=a%20b%2Fp.orchest', body: null },
      {
        method: 'POST',
        url: 'jobs',
        body: { pipeline: 'a b/p.orchest', name: 'Grid', schedule: { kind: 'now' } }
      },
      { method: 'POST', url: 'jobs/j/start', body: null },
      { method: 'PATCH', url: 'jobs/j', body: { name: 'Renamed' } },
      { method: 'POST', url: 'jobs/j/duplicate', body: null },
      { method: 'DELETE', url: 'jobs/j', body: null }
    ]);
  });

  it('preview a grid: the pre-filled one, or one given, with the problems of a refused one', async () => {
    const problems = [{ pointer: '/pipeline_parameters/unit', message: 'must be a list' }];
    const { api, sent } = client([
      { status: 200, body: { grid_size: 1 } },
      { status: 400, body: { message: '"parameters": must be a list', errors: problems } }
    ]);
    await api.previewGrid('p.orchest');
    const error = await api.previewGrid('p.orchest', { pipeline_parameters: { unit: 'x' } }, [0]).catch(e => e);
    expect(sent.map(s => s.body)).toEqual([
      { pipeline: 'p.orchest' },
      { pipeline: 'p.orchest', parameters: { pipeline_parameters: { unit: 'x' } }, deselected: [0] }
    ]);
    expect(error).toBeInstanceOf(APIError);
    expect(error.status).toBe(400);
    expect(error.errors).toEqual(problems);
  });
});
