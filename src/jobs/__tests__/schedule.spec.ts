/**
 * Schedules in the browser: the picker's state as the API's schedule, cron
 * expressions in words, and the checks of the new-job form.
 */
import { checkForm, envVariables, isValid, newJobForm, settingsOf } from '../form';
import { axesOf } from '../grid';
import { describeCounts, Translate } from '../labels';
import {
  cronLocale,
  describeCron,
  describeSchedule,
  scheduleForm,
  scheduleOf,
  wallClock
} from '../schedule';

// What JupyterLab's nullTranslator does (its package is ESM, which jest here
// does not load): no translation, %1, %2 … replaced by the arguments.
const format = (text: string, args: unknown[]): string =>
  text.replace(/%(\d+)/g, (_, n) => String(args[Number(n) - 1]));
const trans: Translate = {
  __: (text: string, ...args: unknown[]) => format(text, args),
  _n: (one: string, many: string, n: number, ...args: unknown[]) => format(n === 1 ? one : many, [n, ...args])
};

describe('cron descriptions', () => {
  it('describe an expression in words, with a 24-hour clock', () => {
    expect(describeCron('0 9 * * MON-FRI')).toEqual({ text: 'At 09:00, Monday through Friday' });
    expect(describeCron('*/15 * * * *')).toEqual({ text: 'Every 15 minutes' });
    expect(describeCron('@daily')).toEqual({ text: 'At 00:00' });
  });

  it('say why an expression cannot be read', () => {
    const described = describeCron('every day');
    expect('error' in described && described.error).toMatch(/2 parts/);
    expect(describeCron('61 * * * *')).toHaveProperty('error');
    expect(describeCron('  ')).toEqual({ error: '' });
  });

  it('speak the language of JupyterLab where cronstrue has it', () => {
    expect(cronLocale('fr-FR')).toBe('fr');
    expect(cronLocale('zh-CN')).toBe('zh_CN');
    expect(cronLocale('pt-BR')).toBe('pt_BR');
    expect(cronLocale('xx-YY')).toBe('en');
    expect(cronLocale(undefined)).toBe('en');
    expect(describeCron('0 9 * * *', 'fr')).toEqual({ text: 'À 09:00' });
  });
});

describe('schedules', () => {
  it('are the API schedules of the picker', () => {
    const base = { at: '2030-01-31T09:00', cron: ' 0 9  * * * ', timezone: 'Europe/Amsterdam' };
    expect(scheduleOf({ ...base, kind: 'now' })).toEqual({ kind: 'now' });
    expect(scheduleOf({ ...base, kind: 'once' })).toEqual({
      kind: 'once',
      at: '2030-01-31T09:00:00',
      timezone: 'Europe/Amsterdam'
    });
    expect(scheduleOf({ ...base, kind: 'cron' })).toEqual({
      kind: 'cron',
      cron: '0 9  * * *',
      timezone: 'Europe/Amsterdam'
    });
  });

  it('come back into the picker in their own time zone', () => {
    expect(wallClock('2030-01-31T08:00:00+00:00', 'Europe/Amsterdam')).toBe('2030-01-31T09:00');
    const form = scheduleForm({ kind: 'once', at: '2030-01-31T08:00:00+00:00', timezone: 'Europe/Amsterdam' });
    expect(form).toMatchObject({ kind: 'once', at: '2030-01-31T09:00', timezone: 'Europe/Amsterdam' });
    expect(scheduleForm({ kind: 'cron', cron: '@hourly', timezone: 'UTC' })).toMatchObject({
      kind: 'cron',
      cron: '@hourly'
    });
  });

  it('are described in a sentence', () => {
    expect(describeSchedule({ kind: 'now' }, trans)).toBe('Now, once');
    expect(describeSchedule({ kind: 'cron', cron: '0 9 * * *', timezone: 'UTC' }, trans)).toBe(
      'At 09:00 (0 9 * * *, UTC)'
    );
    expect(describeSchedule({ kind: 'cron', cron: 'nope', timezone: 'UTC' }, trans)).toBe('On "nope" (UTC)');
  });
});

describe('the new-job form', () => {
  const form = {
    ...newJobForm('Weather'),
    axes: axesOf({ pipeline_parameters: { unit: ['celsius', 'kelvin'] } })
  };

  it('makes the settings of POST /jobs', () => {
    expect(isValid(checkForm(form, trans))).toBe(true);
    const settings = settingsOf({
      ...form,
      deselected: [3, 1],
      env: [
        { name: 'TOKEN', value: 's3cret' },
        { name: '', value: '' }
      ],
      maxRetained: '10'
    });
    expect(settings).toEqual({
      name: 'Weather',
      parameters: { pipeline_parameters: { unit: ['celsius', 'kelvin'] } },
      deselected: [1, 3],
      schedule: { kind: 'now' },
      env_variables: { TOKEN: 's3cret' },
      overlap: 'skip',
      missed_fires: 'skip',
      max_retained_pipeline_runs: 10,
      cache: false
    });
    expect(settingsOf(form).max_retained_pipeline_runs).toBeNull();
    expect(settingsOf({ ...form, cache: true }).cache).toBe(true);
  });

  it('names each problem it finds before sending', () => {
    const problems = checkForm(
      {
        ...form,
        name: ' ',
        env: [
          { name: '1X', value: 'a' },
          { name: 'ORCHEST_X', value: 'a' },
          { name: 'A', value: '1' },
          { name: 'A', value: '2' }
        ],
        schedule: { ...form.schedule, kind: 'once', at: '' },
        maxRetained: '0'
      },
      trans
    );
    expect(isValid(problems)).toBe(false);
    expect(problems.name).toBeTruthy();
    expect([...problems.env.keys()]).toEqual([0, 1, 3]);
    expect(problems.schedule).toBeTruthy();
    expect(problems.maxRetained).toBeTruthy();
    expect(checkForm({ ...form, maxRetained: '2.5' }, trans).maxRetained).toBeTruthy();
  });

  it('leaves empty environment rows out', () => {
    expect(envVariables([{ name: ' ', value: '' }, { name: 'A', value: '' }])).toEqual({ A: '' });
  });
});

describe('run counts', () => {
  it('say how many runs per status', () => {
    expect(describeCounts(trans, {})).toBe('No runs yet');
    expect(describeCounts(trans, { SUCCESS: 5, STARTED: 1 })).toBe('6 runs: 5 succeeded, 1 running');
  });
});
