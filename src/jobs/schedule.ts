/**
 * Schedules of jobs in the browser: the picker's state as the API's
 * `schedule`, a readable description of a cron expression (cronstrue, in
 * the user's language where it has one), and times in local time. The
 * server stays the judge of what is valid and of the next fire time.
 */

import cronstrue from 'cronstrue/i18n';

import { IJobSchedule } from '../api';
import { Translate } from './labels';

/** What the schedule picker edits. */
export interface IScheduleForm {
  kind: IJobSchedule['kind'];
  /** once: a local date-time as `<input type="datetime-local">` gives it (`2030-01-31T09:00`). */
  at: string;
  cron: string;
  /** An IANA time zone: the wall clock of `at` and of the cron expression. */
  timezone: string;
}

/** The time zone of the browser (UTC when it cannot tell). */
export function browserTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

/** The IANA time zones the browser knows, for the picker (with `current` in it). */
export function timeZones(current: string): string[] {
  let zones: string[] = [];
  try {
    zones = (Intl as unknown as { supportedValuesOf(key: string): string[] }).supportedValuesOf('timeZone');
  } catch {
    // older browsers: the current zone and UTC only
  }
  const all = new Set([...zones, 'UTC', current]);
  return [...all].sort();
}

/** A new picker's state: run now; the browser's time zone. */
export function defaultScheduleForm(zone = browserTimeZone()): IScheduleForm {
  return { kind: 'now', at: '', cron: '0 9 * * MON-FRI', timezone: zone };
}

/**
 * The API's schedule of the picker's state. A "once" time goes without an
 * offset: the server reads it in the time zone.
 */
export function scheduleOf(form: IScheduleForm): IJobSchedule {
  switch (form.kind) {
    case 'once':
      return { kind: 'once', at: withSeconds(form.at.trim()), timezone: form.timezone };
    case 'cron':
      return { kind: 'cron', cron: form.cron.trim(), timezone: form.timezone };
    default:
      return { kind: 'now' };
  }
}

function withSeconds(at: string): string {
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(at) ? `${at}:00` : at;
}

/** The picker's state of a job's schedule (to edit a draft). */
export function scheduleForm(schedule: IJobSchedule, zone = browserTimeZone()): IScheduleForm {
  const form = defaultScheduleForm(schedule.timezone || zone);
  form.kind = schedule.kind;
  if (schedule.kind === 'cron' && schedule.cron) {
    form.cron = schedule.cron;
  }
  if (schedule.kind === 'once' && schedule.at) {
    form.at = wallClock(schedule.at, form.timezone) ?? '';
  }
  return form;
}

/** An ISO time as the wall clock of a zone, `YYYY-MM-DDTHH:MM` (null when not a time). */
export function wallClock(iso: string, zone: string): string | null {
  const date = new Date(iso);
  if (isNaN(date.getTime())) {
    return null;
  }
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: zone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23'
  }).formatToParts(date);
  const get = (type: string): string => parts.find(p => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}T${get('hour')}:${get('minute')}`;
}

/** cronstrue's locales (node_modules/cronstrue/locales). */
const CRON_LOCALES = new Set(
  (
    'af ar az be bg ca cs da de en es fa fi fr he hr hu id it ja ko my nb nl nn pl pt_BR pt_PT ro ru sk ' +
    'sl sr sv sw tg th tr uk vi zh_CN zh_TW'
  ).split(' ')
);

/**
 * cronstrue's locale for a JupyterLab language code (`fr-FR` → `fr`,
 * `zh-CN` → `zh_CN`); English when it has none.
 */
export function cronLocale(languageCode: string | undefined): string {
  const code = (languageCode ?? 'en').replace('-', '_');
  if (CRON_LOCALES.has(code)) {
    return code;
  }
  const language = code.split('_')[0];
  return CRON_LOCALES.has(language) ? language : 'en';
}

/**
 * A cron expression in words, or why it cannot be read. The description is
 * a help, not a check: the server decides whether it is valid.
 */
export function describeCron(expression: string, locale = 'en'): { text: string } | { error: string } {
  const trimmed = expression.trim();
  if (!trimmed) {
    return { error: '' };
  }
  try {
    return {
      text: cronstrue.toString(trimmed, {
        locale,
        use24HourTimeFormat: true,
        throwExceptionOnParseError: true,
        verbose: false
      })
    };
  } catch (error) {
    return { error: String((error as Error)?.message ?? error) };
  }
}

/** A UTC time of the server in the browser's local time. */
export function localTime(iso: string | null | undefined): string {
  if (!iso) {
    return '';
  }
  const date = new Date(iso);
  return isNaN(date.getTime()) ? iso : date.toLocaleString();
}

/** A job's schedule in a sentence. */
export function describeSchedule(schedule: IJobSchedule, trans: Translate, locale = 'en'): string {
  switch (schedule.kind) {
    case 'once':
      return trans.__('Once, at %1', localTime(schedule.at));
    case 'cron': {
      const described = describeCron(schedule.cron ?? '', locale);
      const zone = schedule.timezone || 'UTC';
      return 'text' in described
        ? trans.__('%1 (%2, %3)', described.text, schedule.cron ?? '', zone)
        : trans.__('On "%1" (%2)', schedule.cron ?? '', zone);
    }
    default:
      return trans.__('Now, once');
  }
}
