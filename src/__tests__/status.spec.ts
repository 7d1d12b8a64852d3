/**
 * The words of the status codes: one per code, the same wherever it shows.
 */

import type { JobStatus, RunStatus, ServiceStatus, SessionStatus, StepState } from '../api';
import { jobStatusLabel, runStatusLabel, serviceStatusLabel, sessionStatusLabel, stepStateLabel } from '../status';

const trans = { __: (text: string) => text };

describe('the status labels', () => {
  it('name every run status, a pending run "Pending" as in Orchest', () => {
    const statuses: RunStatus[] = ['PENDING', 'STARTED', 'SUCCESS', 'FAILURE', 'ABORTED'];
    expect(statuses.map(s => runStatusLabel(trans, s))).toEqual(['Pending', 'Running', 'Succeeded', 'Failed', 'Cancelled']);
  });

  it('name every step state', () => {
    const states: StepState[] = ['READY', 'PENDING', 'RUNNING', 'COMPUTED', 'ABORTED', 'FAILURE'];
    expect(states.map(s => stepStateLabel(trans, s))).toEqual(['Ready', 'Pending', 'Running', 'Completed', 'Aborted', 'Failed']);
  });

  it('say a pending job is scheduled, and a started or ended one as its runs do', () => {
    const statuses: JobStatus[] = ['DRAFT', 'PENDING', 'PAUSED', 'STARTED', 'SUCCESS'];
    expect(statuses.map(s => jobStatusLabel(trans, s))).toEqual(['Draft', 'Scheduled', 'Paused', 'Running', 'Succeeded']);
  });

  it('name a session status, also an unknown one', () => {
    const statuses: (SessionStatus | null)[] = ['LAUNCHING', 'RUNNING', null];
    expect(statuses.map(s => sessionStatusLabel(trans, s))).toEqual(['Session starting', 'Session running', 'Session unknown']);
  });

  it('name every service status', () => {
    const statuses: ServiceStatus[] = ['PENDING', 'STARTING', 'RUNNING', 'STOPPING', 'STOPPED', 'FAILURE'];
    expect(statuses.map(s => serviceStatusLabel(trans, s))).toEqual(['Pending', 'Starting', 'Running', 'Stopping', 'Stopped', 'Failed']);
  });
});
