import type { IRun } from '../../api';
import type { OrchestEvent } from '../../events';
import {
  durationSeconds,
  formatDuration,
  isRunFinished,
  isSamePath,
  mergeLog,
  RunTracker
} from '../runstate';

const PATH = 'examples/quickstart.orchest';

function run(overrides: Partial<IRun> = {}): IRun {
  return {
    uuid: 'r1',
    pipeline_path: PATH,
    pipeline_file: 'quickstart.orchest',
    pipeline_uuid: 'p',
    run_type: 'full',
    interactive: true,
    backend: 'local',
    status: 'PENDING',
    created: '2026-01-01T10:00:00.000+00:00',
    steps: {
      a: { title: 'A', file_path: 'a.py', state: 'PENDING', started: null, finished: null, error: null, log_path: null },
      b: { title: 'B', file_path: 'b.py', state: 'PENDING', started: null, finished: null, error: null, log_path: null }
    },
    ...overrides
  };
}

function stepEvent(step: string, state: string, seq = 1): OrchestEvent {
  return {
    type: 'step',
    seq,
    run_uuid: 'r1',
    step_uuid: step,
    state: state as any,
    started: '2026-01-01T10:00:01.000+00:00',
    finished: state === 'COMPUTED' ? '2026-01-01T10:00:03.500+00:00' : null,
    error: null,
    log_path: null
  };
}

describe('RunTracker', () => {
  it('applies step and run events of the run shown', () => {
    const tracker = new RunTracker(PATH);
    tracker.setRun(run());
    expect(tracker.apply(stepEvent('a', 'RUNNING'))).toBe(true);
    expect(tracker.step('a')!.state).toBe('RUNNING');
    expect(tracker.apply({ ...stepEvent('a', 'COMPUTED'), run_uuid: 'other' } as OrchestEvent)).toBe(false);
    expect(
      tracker.apply({ type: 'run', seq: 2, run_uuid: 'r1', status: 'SUCCESS', started: null, finished: null, error: null })
    ).toBe(true);
    expect(isRunFinished(tracker.run)).toBe(true);
  });

  it('adopts interactive runs of its pipeline created elsewhere', () => {
    const tracker = new RunTracker(PATH);
    const created = (pipelinePath: string, interactive = true): OrchestEvent => ({
      type: 'run-created',
      seq: 3,
      run_uuid: 'r2',
      pipeline_path: pipelinePath,
      run: { ...run({ uuid: 'r2' }), interactive, project_dir: '/srv/x' } as any
    });
    expect(tracker.apply(created('other/quickstart.orchest'))).toBe(false);
    expect(tracker.apply(created('myexamples/quickstart.orchest'))).toBe(false);
    expect(tracker.apply(created(PATH, false))).toBe(false);
    expect(tracker.apply(created(`./${PATH}`))).toBe(true);
    expect(tracker.run!.uuid).toBe('r2');
    expect(tracker.run!.pipeline_path).toBe(PATH);
    expect((tracker.run as any).project_dir).toBeUndefined();
  });

  it('keeps a past run when it does not follow new runs', () => {
    const tracker = new RunTracker(PATH, false);
    tracker.setRun(run());
    const created: OrchestEvent = {
      type: 'run-created',
      seq: 3,
      run_uuid: 'r2',
      pipeline_path: PATH,
      run: { ...run({ uuid: 'r2' }), project_dir: '/srv/x' } as any
    };
    expect(tracker.apply(created)).toBe(false);
    expect(tracker.run!.uuid).toBe('r1');
    expect(tracker.apply(stepEvent('b', 'COMPUTED'))).toBe(true);
  });

  it('does not let an older answer undo what events said', () => {
    const tracker = new RunTracker(PATH);
    tracker.setRun(run());
    tracker.apply(stepEvent('a', 'COMPUTED'));
    tracker.apply({ type: 'run', seq: 2, run_uuid: 'r1', status: 'STARTED', started: null, finished: null, error: null });
    tracker.setRun(run()); // the POST answer, made when everything was PENDING
    expect(tracker.step('a')!.state).toBe('COMPUTED');
    expect(tracker.run!.status).toBe('STARTED');
    tracker.setRun(run({ uuid: 'r9' }));
    expect(tracker.step('a')!.state).toBe('PENDING');
  });

  it('keeps the last state of the steps a partial run leaves out', () => {
    const tracker = new RunTracker(PATH);
    tracker.setRun(run());
    tracker.apply(stepEvent('a', 'COMPUTED'));
    tracker.apply(stepEvent('b', 'FAILURE'));
    const later = '2026-01-01T10:05:00.000+00:00';
    const onlyB = run({ uuid: 'r2', run_type: 'selection', created: later, steps: { b: run().steps.b } });
    tracker.setRun(onlyB);
    expect(tracker.step('a')!.state).toBe('COMPUTED');
    expect(tracker.runOf('a')!.uuid).toBe('r1');
    expect(tracker.step('b')!.state).toBe('PENDING');
    expect(tracker.runOf('b')!.uuid).toBe('r2');
    // An older answer never replaces what a newer run shows.
    tracker.addEarlierRuns([onlyB, run({ steps: { ...run().steps, b: { ...run().steps.b, state: 'COMPUTED' } } })]);
    expect(tracker.step('b')!.state).toBe('PENDING');
    // No run at all (e.g. another pipeline's file): nothing is kept.
    tracker.setRun(null);
    expect(tracker.step('a')).toBeUndefined();
  });

  it('reads the last states of earlier runs after a reload', () => {
    const tracker = new RunTracker(PATH);
    const onlyB = run({ uuid: 'r3', created: '2026-01-01T11:00:00.000+00:00', steps: { b: run().steps.b } });
    const older = run({ uuid: 'r2', created: '2026-01-01T10:30:00.000+00:00', steps: { a: { ...run().steps.a, state: 'FAILURE' } } });
    const oldest = run({ steps: { a: { ...run().steps.a, state: 'COMPUTED' } } });
    tracker.setRun(onlyB);
    tracker.addEarlierRuns([onlyB, older, oldest]);
    expect(tracker.step('a')!.state).toBe('FAILURE');
    expect(tracker.runOf('a')!.uuid).toBe('r2');
    // Events of an earlier run still ending update its step's last state.
    expect(tracker.apply({ ...stepEvent('a', 'ABORTED'), run_uuid: 'r2' } as OrchestEvent)).toBe(true);
    expect(tracker.step('a')!.state).toBe('ABORTED');
  });
});

describe('helpers', () => {
  it('compares paths relative to the root', () => {
    expect(isSamePath('examples/quickstart.orchest', PATH)).toBe(true);
    expect(isSamePath('./examples//quickstart.orchest', PATH)).toBe(true);
    expect(isSamePath('myexamples/quickstart.orchest', PATH)).toBe(false);
    expect(isSamePath('quickstart.orchest', PATH)).toBe(false);
  });

  it('measures and formats durations', () => {
    expect(durationSeconds(null, null)).toBeNull();
    expect(durationSeconds('2026-01-01T10:00:00.000+00:00', '2026-01-01T10:00:02.500+00:00')).toBe(2.5);
    expect(durationSeconds('2026-01-01T10:00:00.000+00:00', null, Date.parse('2026-01-01T10:01:00Z'))).toBe(60);
    expect(formatDuration(0.42)).toBe('0.4s');
    expect(formatDuration(12.7)).toBe('12s');
    expect(formatDuration(185)).toBe('3m 05s');
    expect(formatDuration(3720)).toBe('1h 02m');
  });

  it('joins a fetched log with lines that arrived meanwhile', () => {
    expect(mergeLog('a\nb\n', ['b', 'c'])).toEqual(['a', 'b', 'c']);
    expect(mergeLog('a\nb\n', ['c'])).toEqual(['a', 'b', 'c']);
    expect(mergeLog('a\nb\n', ['a', 'b'])).toEqual(['a', 'b']);
    expect(mergeLog('', ['x'])).toEqual(['x']);
    expect(mergeLog('a\n', [])).toEqual(['a']);
  });
});
