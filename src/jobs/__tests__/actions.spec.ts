/**
 * The buttons of a job's view per status.
 */
import { availableActions } from '../actions';

const cron = { kind: 'cron' as const, cron: '0 9 * * *', timezone: 'UTC' };

describe('job actions', () => {
  it('start and change a draft', () => {
    expect([...availableActions({ status: 'DRAFT', next_fire: null, schedule: { kind: 'now' } })].sort()).toEqual(
      ['delete', 'duplicate', 'edit', 'start']
    );
  });

  it('pause, trigger and cancel a waiting cron job; resume it once paused', () => {
    const waiting = availableActions({ status: 'PENDING', next_fire: '2030-01-01T09:00:00Z', schedule: cron });
    expect([...waiting].sort()).toEqual(['cancel', 'delete', 'duplicate', 'pause', 'trigger']);
    const paused = availableActions({ status: 'PAUSED', next_fire: null, schedule: cron });
    expect([...paused].sort()).toEqual(['cancel', 'delete', 'duplicate', 'resume', 'trigger']);
  });

  it('only cancel a one-off job that runs, and only duplicate or delete one that ended', () => {
    const running = availableActions({ status: 'STARTED', next_fire: null, schedule: { kind: 'now' } });
    expect([...running].sort()).toEqual(['cancel', 'delete', 'duplicate']);
    for (const status of ['SUCCESS', 'FAILURE', 'ABORTED'] as const) {
      expect([...availableActions({ status, next_fire: null, schedule: cron })].sort()).toEqual(['delete', 'duplicate']);
    }
  });
});
