/**
 * The client of the orchest-jlab REST API (`orchest_jlab/openapi.yaml`):
 * every request of the frontend goes through `OrchestAPI`.
 */

import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

import { encodePath, requestAPI } from './request';

import type { IBuild, IEnvironment, IEnvironmentFields } from './environments';
import type { IDelivery, IEventType, IWebhook, IWebhookSpec, IWebhookTest } from './notifications';
import type { EnvLevel, IEnvVariables, IEnvVariablesResponse } from './envvars';
import type { IGridPreview, IJob, IJobSettings, IJobWithRuns, JobAction, JobGrid } from './jobs';
import type { IFileStep, IPipelineResponse, IPipelineSummary, IReport } from './pipelines';
import type { IRun, IRunPipeline, IRunRequest } from './runs';
import type { IService, IServiceLog, ServicesOf } from './services';
import type { ISession } from './sessions';

export { API_PATH, APIError, encodePath } from './request';

/**
 * The REST API of orchest-jlab.
 */
export class OrchestAPI {
  constructor(options: { serverSettings?: ServerConnection.ISettings } = {}) {
    this.serverSettings = options.serverSettings ?? ServerConnection.makeSettings();
  }

  readonly serverSettings: ServerConnection.ISettings;

  /** GET /pipelines: every pipeline under the server's root, by path. */
  async listPipelines(): Promise<IPipelineSummary[]> {
    const body = await this._request<{ pipelines: IPipelineSummary[] }>('pipelines');
    return body.pipelines;
  }

  /** GET /pipelines/{path}: a pipeline as stored, with its report. */
  getPipeline(path: string): Promise<IPipelineResponse> {
    return this._request<IPipelineResponse>(`pipelines/${encodePath(path)}`);
  }

  /**
   * POST /validate: the report of a document (text), checked as if saved at
   * `path` when given.
   */
  validate(text: string, path?: string): Promise<IReport> {
    const query = path ? URLExt.objectToQueryString({ path }) : '';
    return this._request<IReport>(`validate${query}`, { method: 'POST', body: text });
  }

  /**
   * GET /environments?project=: the environments of the project of a folder
   * or pipeline file (none for a new project: `createEnvironment(project, {})`
   * makes the default one).
   */
  async listEnvironments(project: string): Promise<IEnvironment[]> {
    return (await this.getEnvironments(project)).environments;
  }

  /**
   * GET /environments?project= with the resolved project folder ("" for the
   * server's root).
   */
  getEnvironments(project: string): Promise<{ project: string; environments: IEnvironment[] }> {
    return this._request(`environments${URLExt.objectToQueryString({ project })}`);
  }

  /** POST /environments?project=: create an environment (201). */
  createEnvironment(project: string, fields: IEnvironmentFields): Promise<IEnvironment> {
    return this._request<IEnvironment>(`environments${URLExt.objectToQueryString({ project })}`, {
      method: 'POST',
      body: JSON.stringify(fields)
    });
  }

  /** GET /environments/{uuid}?project=: one environment, with its last build. */
  getEnvironment(project: string, envUuid: string): Promise<IEnvironment> {
    return this._request<IEnvironment>(this._environmentPath(project, envUuid));
  }

  /** PATCH /environments/{uuid}?project=: change some fields. */
  updateEnvironment(project: string, envUuid: string, fields: IEnvironmentFields): Promise<IEnvironment> {
    return this._request<IEnvironment>(this._environmentPath(project, envUuid), {
      method: 'PATCH',
      body: JSON.stringify(fields)
    });
  }

  /**
   * DELETE /environments/{uuid}?project= (204); an APIError with status 409
   * and the server's message while steps, runs or a build use it.
   */
  async deleteEnvironment(project: string, envUuid: string): Promise<void> {
    await this._request<void>(this._environmentPath(project, envUuid), { method: 'DELETE' });
  }

  /** POST /environments/{uuid}/build?project=[&force=true]: start a build (202). */
  buildEnvironment(project: string, envUuid: string, options: { force?: boolean } = {}): Promise<IBuild> {
    return this._request<IBuild>(
      this._environmentPath(project, envUuid, '/build', options.force ? { force: 'true' } : {}),
      { method: 'POST' }
    );
  }

  /** DELETE /environments/{uuid}/build?project=: cancel the build in progress. */
  cancelBuild(project: string, envUuid: string): Promise<IBuild> {
    return this._request<IBuild>(this._environmentPath(project, envUuid, '/build'), { method: 'DELETE' });
  }

  /** GET /environments/{uuid}/build/log?project=: the last build's log so far. */
  getBuildLog(project: string, envUuid: string): Promise<string> {
    return this._request<string>(this._environmentPath(project, envUuid, '/build/log'), {}, 'text');
  }

  /** GET /env-variables?pipeline=: the project's and the pipeline's variables. */
  getEnvVariables(pipeline: string): Promise<IEnvVariablesResponse> {
    return this._request(`env-variables${URLExt.objectToQueryString({ pipeline })}`);
  }

  /** PUT /env-variables?pipeline=: replace the variables of the levels given. */
  putEnvVariables(
    pipeline: string,
    levels: { [level in EnvLevel]?: IEnvVariables }
  ): Promise<IEnvVariablesResponse> {
    return this._request(`env-variables${URLExt.objectToQueryString({ pipeline })}`, {
      method: 'PUT',
      body: JSON.stringify(levels)
    });
  }

  /** GET /runs: runs, newest first. */
  async listRuns(options: { pipeline?: string; limit?: number } = {}): Promise<IRun[]> {
    const query: { [key: string]: string } = {};
    if (options.pipeline) {
      query.pipeline = options.pipeline;
    }
    if (options.limit !== undefined) {
      query.limit = String(options.limit);
    }
    const body = await this._request<{ runs: IRun[] }>(`runs${URLExt.objectToQueryString(query)}`);
    return body.runs;
  }

  /** GET /runs/{uuid}. */
  getRun(runUuid: string): Promise<IRun> {
    return this._request<IRun>(`runs/${encodeURIComponent(runUuid)}`);
  }

  /** POST /runs: start a run. */
  startRun(request: IRunRequest): Promise<IRun> {
    return this._request<IRun>('runs', { method: 'POST', body: JSON.stringify(request) });
  }

  /** DELETE /cache?pipeline=&step=: clear the step cache of a pipeline (or of one of its steps). */
  async clearCache(pipeline: string, step?: string): Promise<number> {
    const query = URLExt.objectToQueryString(step ? { pipeline, step } : { pipeline });
    return (await this._request<{ removed: number }>(`cache${query}`, { method: 'DELETE' })).removed;
  }

  /** DELETE /runs/{uuid}: cancel a run. */
  cancelRun(runUuid: string): Promise<IRun> {
    return this._request<IRun>(`runs/${encodeURIComponent(runUuid)}`, { method: 'DELETE' });
  }

  /** GET /runs/{run}/steps/{step}/log: the step's log so far. */
  getStepLog(runUuid: string, stepUuid: string, attempt?: number): Promise<string> {
    const query = attempt ? URLExt.objectToQueryString({ attempt: String(attempt) }) : '';
    return this._request<string>(
      `runs/${encodeURIComponent(runUuid)}/steps/${encodeURIComponent(stepUuid)}/log${query}`,
      {},
      'text'
    );
  }

  /**
   * GET /runs/{uuid}/pipeline: the pipeline the run ran (its snapshot's, or
   * the document recorded when an interactive run started).
   */
  getRunPipeline(runUuid: string): Promise<IRunPipeline> {
    return this._request<IRunPipeline>(`runs/${encodeURIComponent(runUuid)}/pipeline`);
  }

  /**
   * GET /runs/{uuid}/files/{path}: a file of the run (`path` relative to the
   * pipeline's project; executed notebooks of snapshot runs live there).
   */
  getRunFile(runUuid: string, path: string): Promise<string> {
    return this._request<string>(`runs/${encodeURIComponent(runUuid)}/files/${encodePath(path)}`, {}, 'text');
  }

  /**
   * POST /runs/{uuid}/copy-pipeline: copy the pipeline the run ran into a new
   * `.orchest` file (next to the original unless `path` is given).
   */
  copyRunPipeline(runUuid: string, path?: string): Promise<{ path: string }> {
    return this._request<{ path: string }>(`runs/${encodeURIComponent(runUuid)}/copy-pipeline`, {
      method: 'POST',
      body: JSON.stringify(path ? { path } : {})
    });
  }

  /** GET /steps?file=: the steps (of every pipeline) that run a file. */
  async stepsOfFile(file: string): Promise<IFileStep[]> {
    const body = await this._request<{ steps: IFileStep[] }>(`steps${URLExt.objectToQueryString({ file })}`);
    return body.steps;
  }

  /** GET /sessions: the sessions the server holds (those not STOPPED, and failed ones). */
  async listSessions(): Promise<ISession[]> {
    const body = await this._request<{ sessions: ISession[] }>('sessions');
    return body.sessions;
  }

  /** GET /sessions/{pipeline}: the pipeline's session (STOPPED when there is none). */
  getSession(pipeline: string): Promise<ISession> {
    return this._request<ISession>(`sessions/${encodePath(pipeline)}`);
  }

  /** POST /sessions: start the pipeline's session (idempotent). */
  startSession(pipeline: string): Promise<ISession> {
    return this._request<ISession>('sessions', { method: 'POST', body: JSON.stringify({ pipeline }) });
  }

  /** DELETE /sessions/{pipeline}: stop the pipeline's session. */
  stopSession(pipeline: string): Promise<ISession> {
    return this._request<ISession>(`sessions/${encodePath(pipeline)}`, { method: 'DELETE' });
  }

  /**
   * GET /services?pipeline=|run=: the services of a pipeline's interactive
   * session or of a run (every service of the server without `of`).
   */
  async listServices(of?: ServicesOf): Promise<IService[]> {
    const query = of ? URLExt.objectToQueryString({ ...of }) : '';
    const body = await this._request<{ services: IService[] }>(`services${query}`);
    return body.services;
  }

  /** GET /services/log?pipeline=|run=&name=: the end of a service's log. */
  getServiceLog(of: ServicesOf, name: string): Promise<IServiceLog> {
    return this._request<IServiceLog>(`services/log${URLExt.objectToQueryString({ ...of, name })}`);
  }

  /** GET /jobs?pipeline=: the jobs (of one pipeline file), newest first. */
  async listJobs(pipeline?: string): Promise<IJob[]> {
    const query = pipeline ? URLExt.objectToQueryString({ pipeline }) : '';
    const body = await this._request<{ jobs: IJob[] }>(`jobs${query}`);
    return body.jobs;
  }

  /** GET /jobs/{uuid}: a job with its runs and history. */
  getJob(jobUuid: string): Promise<IJobWithRuns> {
    return this._request<IJobWithRuns>(`jobs/${encodeURIComponent(jobUuid)}`);
  }

  /** POST /jobs: a new DRAFT job of a pipeline (relative to the server's root). */
  createJob(pipeline: string, settings: IJobSettings): Promise<IJobWithRuns> {
    return this._request<IJobWithRuns>('jobs', {
      method: 'POST',
      body: JSON.stringify({ pipeline, ...settings })
    });
  }

  /**
   * POST /jobs/grid: a grid checked and expanded, creating nothing; without
   * `parameters`, the pre-filled grid of the pipeline.
   */
  previewGrid(pipeline: string, parameters?: JobGrid, deselected?: number[]): Promise<IGridPreview> {
    const body: { [key: string]: unknown } = { pipeline };
    if (parameters !== undefined) {
      body.parameters = parameters;
    }
    if (deselected !== undefined) {
      body.deselected = deselected;
    }
    return this._request<IGridPreview>('jobs/grid', { method: 'POST', body: JSON.stringify(body) });
  }

  /** PATCH /jobs/{uuid}: change a job's settings. */
  updateJob(jobUuid: string, settings: IJobSettings): Promise<IJobWithRuns> {
    return this._request<IJobWithRuns>(`jobs/${encodeURIComponent(jobUuid)}`, {
      method: 'PATCH',
      body: JSON.stringify(settings)
    });
  }

  /** POST /jobs/{uuid}/{action}: start, pause, resume, trigger or cancel a job. */
  jobAction(jobUuid: string, action: JobAction): Promise<IJobWithRuns> {
    return this._request<IJobWithRuns>(`jobs/${encodeURIComponent(jobUuid)}/${action}`, { method: 'POST' });
  }

  /** POST /jobs/{uuid}/duplicate: a new draft like the job, of the pipeline as it is now. */
  duplicateJob(jobUuid: string): Promise<IJobWithRuns> {
    return this._request<IJobWithRuns>(`jobs/${encodeURIComponent(jobUuid)}/duplicate`, { method: 'POST' });
  }

  /** DELETE /jobs/{uuid}: cancel a job, then delete it with its runs. */
  async deleteJob(jobUuid: string): Promise<void> {
    await this._request<string>(`jobs/${encodeURIComponent(jobUuid)}`, { method: 'DELETE' }, 'text');
  }

  /** GET /notifications/webhooks: a project's webhooks and the event types they can subscribe to. */
  listWebhooks(project: string): Promise<{ webhooks: IWebhook[]; event_types: IEventType[] }> {
    return this._request(this._webhookPath(project));
  }

  /** POST (a new one) or PATCH (a change) /notifications/webhooks[/{uuid}]. */
  saveWebhook(project: string, spec: IWebhookSpec, uuid?: string): Promise<IWebhook> {
    const init = { method: uuid ? 'PATCH' : 'POST', body: JSON.stringify(spec) };
    return this._request(this._webhookPath(project, uuid ? `/${encodeURIComponent(uuid)}` : ''), init);
  }

  async deleteWebhook(project: string, uuid: string): Promise<void> {
    await this._request(this._webhookPath(project, `/${encodeURIComponent(uuid)}`), { method: 'DELETE' }, 'text');
  }

  /** POST /notifications/webhooks/{uuid}/test: a "ping" sent now. */
  testWebhook(project: string, uuid: string): Promise<IWebhookTest> {
    return this._request(this._webhookPath(project, `/${encodeURIComponent(uuid)}/test`), { method: 'POST', body: '{}' });
  }

  /** GET /notifications/deliveries: the project's delivery history, newest first. */
  async listDeliveries(project: string): Promise<IDelivery[]> {
    const query = URLExt.objectToQueryString({ project });
    return (await this._request<{ deliveries: IDelivery[] }>(`notifications/deliveries${query}`)).deliveries;
  }

  private _webhookPath(project: string, suffix = ''): string {
    return `notifications/webhooks${suffix}${URLExt.objectToQueryString({ project })}`;
  }

  private _environmentPath(
    project: string,
    envUuid: string,
    suffix = '',
    query: { [key: string]: string } = {}
  ): string {
    return `environments/${encodeURIComponent(envUuid)}${suffix}${URLExt.objectToQueryString({ project, ...query })}`;
  }

  private _request<T>(endpoint: string, init: RequestInit = {}, as: 'json' | 'text' = 'json'): Promise<T> {
    return requestAPI<T>(this.serverSettings, endpoint, init, as);
  }
}
