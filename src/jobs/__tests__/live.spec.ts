/**
 * The job list and a job's view kept current by job events.
 */
import { IJob, IJobWithRuns } from '../../api';
import { applyToJob, applyToList } from '../live';

function job(uuid: string, overrides: Partial<IJobWithRuns> = {}): IJobWithRuns {
  return {
    uuid,
    name: 'Grid',
    pipeline_path: 'proj/p.orchest',
    pipeline_file: 'p.orchest',
    pipeline_uuid: null,
    pipeline_name: 'P',
    status: 'STARTED',
    schedule: { kind: 'now' },
    next_fire: null,
    last_fired: null,
    overlap: 'skip',
    missed_fires: 'skip',
    max_retained_pipeline_runs: null,
    cache: false,
    parameters: {},
    deselected: [],
    grid_size: 2,
    runs_per_fire: 2,
    env_variables: {},
    created: '2026-01-01T00:00:00Z',
    updated: '2026-01-01T00:00:00Z',
    started: null,
    finished: null,
    fire_count: 1,
    run_count: 2,
    runs_deleted: 0,
    snapshot_dir: '/x',
    warnings: [],
    error: null,
    counts: { PENDING: 2 },
    pipeline: {},
    history: [],
    runs: [0, 1].map(index => ({
      index,
      fire: 0,
      combination: index,
      parameters: {},
      status: 'PENDING' as const,
      run_uuid: null
    })),
    ...overrides
  };
}

const base = { seq: 1 };

describe('the job list', () => {
  const jobs: IJob[] = [job('a'), job('b')];

  it('takes status and next fire from job events', () => {
    const applied = applyToList(jobs, {
      ...base,
      type: 'job',
      job_uuid: 'b',
      status: 'PAUSED',
      next_fire: null,
      last_fired: '2026-01-01T09:00:00Z',
      fire_count: 3,
      run_count: 6
    });
    expect(applied.reload).toBe(false);
    expect(applied.value[1]).toMatchObject({ status: 'PAUSED', fire_count: 3, run_count: 6 });
    expect(applied.value[0]).toBe(jobs[0]);
  });

  it('reloads for a job it does not know and for run counts', () => {
    const unknown = applyToList(jobs, {
      ...base,
      type: 'job',
      job_uuid: 'new',
      status: 'DRAFT',
      next_fire: null,
      last_fired: null,
      fire_count: 0,
      run_count: 0
    });
    expect(unknown).toEqual({ value: jobs, reload: true });
    const run = { ...base, type: 'job-run' as const, index: 0, status: 'SUCCESS' as const, run_uuid: 'r' };
    expect(applyToList(jobs, { ...run, job_uuid: 'a' }).reload).toBe(true);
    expect(applyToList(jobs, { ...run, job_uuid: 'elsewhere' }).reload).toBe(false);
  });

  it('drops deleted jobs', () => {
    expect(applyToList(jobs, { ...base, type: 'job-deleted', job_uuid: 'a' }).value.map(j => j.uuid)).toEqual(['b']);
  });
});

describe("a job's view", () => {
  it('changes a run at once and recounts', () => {
    const applied = applyToJob(job('a'), {
      ...base,
      type: 'job-run',
      job_uuid: 'a',
      index: 1,
      status: 'STARTED',
      run_uuid: 'run-1'
    });
    expect(applied.value!.runs[1]).toMatchObject({ status: 'STARTED', run_uuid: 'run-1' });
    expect(applied.value!.counts).toEqual({ PENDING: 1, STARTED: 1 });
    expect(applied.reload).toBe(true);
    const queued = applyToJob(job('a'), { ...base, type: 'job-run', job_uuid: 'a', index: 0, status: 'PENDING', run_uuid: null });
    expect(queued.reload).toBe(false);
  });

  it('reloads for a run it has not seen, ignores other jobs, ends when deleted', () => {
    const event = { ...base, type: 'job-run' as const, index: 7, status: 'PENDING' as const, run_uuid: null };
    expect(applyToJob(job('a'), { ...event, job_uuid: 'a' }).reload).toBe(true);
    const other = job('a');
    expect(applyToJob(other, { ...event, job_uuid: 'b' })).toEqual({ value: other, reload: false });
    expect(applyToJob(job('a'), { ...base, type: 'job-deleted', job_uuid: 'a' }).value).toBeNull();
  });

  it('drops runs deleted by retention', () => {
    const applied = applyToJob(job('a'), { ...base, type: 'job-run-deleted', job_uuid: 'a', index: 0, run_uuid: null });
    expect(applied.value!.runs.map(r => r.index)).toEqual([1]);
    expect(applied.value!.counts).toEqual({ PENDING: 1 });
  });
});
