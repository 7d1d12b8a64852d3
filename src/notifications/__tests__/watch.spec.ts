import { OrchestEvent } from '../../events';
import { FinishWatch, shouldTell } from '../watch';

const created = (uuid: string, labels = {}): OrchestEvent =>
  ({
    type: 'run-created',
    seq: 1,
    run_uuid: uuid,
    pipeline_path: 'a/p.orchest',
    run: { uuid, pipeline_name: 'Train', labels, steps: {} }
  }) as unknown as OrchestEvent;
const ended = (uuid: string, status: string): OrchestEvent =>
  ({ type: 'run', seq: 2, run_uuid: uuid, status, started: null, finished: null, error: null }) as OrchestEvent;

describe('finished runs and jobs', () => {
  it('tells a run once it ends, never a job’s run', () => {
    const watch = new FinishWatch();
    expect(watch.take(created('r1'))).toBeNull();
    expect(watch.take(created('r2', { job_uuid: 'j' }))).toBeNull();
    expect(watch.take(ended('r1', 'STARTED'))).toBeNull();
    expect(watch.take(ended('r1', 'FAILURE'))).toEqual({
      kind: 'run', uuid: 'r1', status: 'FAILURE', name: 'Train', pipelinePath: 'a/p.orchest'
    });
    expect(watch.take(ended('r1', 'FAILURE'))).toBeNull();
    expect(watch.take(ended('r2', 'SUCCESS'))).toBeNull();
    const job = watch.take({ type: 'job-ended', seq: 3, job_uuid: 'j', status: 'SUCCESS' });
    expect(job?.kind).toBe('job');
  });

  it('tells of the pipelines open here, while the user looks elsewhere', () => {
    const run = { kind: 'run' as const, uuid: 'r1', status: 'SUCCESS', name: 'Train', pipelinePath: 'a/p.orchest' };
    const job = { kind: 'job' as const, uuid: 'j', status: 'SUCCESS', name: '', pipelinePath: 'a/p.orchest' };
    const open = new Set(['a/p.orchest']);
    const onEditor = { widgetId: 'x', editorPath: 'a/p.orchest', hidden: false, openPipelines: open };
    const elsewhere = { widgetId: 'notebook', editorPath: null, hidden: false, openPipelines: open };
    expect(shouldTell(run, onEditor)).toBe(false);
    expect(shouldTell(run, { ...onEditor, hidden: true })).toBe(true);
    expect(shouldTell(run, { ...elsewhere, widgetId: 'orchest-run-r1' })).toBe(false);
    expect(shouldTell(run, elsewhere)).toBe(true);
    expect(shouldTell(run, { ...elsewhere, openPipelines: new Set() })).toBe(false);
    expect(shouldTell(job, { ...elsewhere, widgetId: 'orchest-job:j' })).toBe(false);
    expect(shouldTell(job, elsewhere)).toBe(true);
    expect(shouldTell(job, onEditor)).toBe(false);
    expect(shouldTell({ ...job, pipelinePath: 'b.orchest' }, { ...elsewhere, jobPageOpen: true })).toBe(true);
  });
});
