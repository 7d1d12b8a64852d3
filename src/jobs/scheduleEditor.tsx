/**
 * The schedule picker of a job: now, once at a date and time, or on a cron
 * expression, in a time zone; a cron expression is described in words as it
 * is typed (the server decides whether it is valid).
 */

import * as React from 'react';

import { TextField } from '../components/field';
import { Choice } from './fields';
import { Translate } from './labels';
import { describeCron, IScheduleForm, timeZones } from './schedule';

export interface ISchedulePickerProps {
  trans: Translate;
  value: IScheduleForm;
  /** cronstrue's locale. */
  locale: string;
  /** A problem with the schedule (the form's or the server's). */
  problem?: string | null;
  onChange(value: IScheduleForm): void;
}

export function SchedulePicker(props: ISchedulePickerProps): JSX.Element {
  const { trans, value, locale, onChange } = props;
  const zones = React.useMemo(() => timeZones(value.timezone), [value.timezone]);
  const kinds: [IScheduleForm['kind'], string][] = [
    ['now', trans.__('Now')],
    ['once', trans.__('Once, at a date and time')],
    ['cron', trans.__('On a cron schedule')]
  ];
  const described = value.kind === 'cron' ? describeCron(value.cron, locale) : null;
  return (
    <div className="jp-OrchestJobs-schedule">
      <div className="jp-OrchestJobs-kinds" role="radiogroup">
        {kinds.map(([kind, label]) => (
          <label key={kind}>
            <input
              type="radio"
              name="schedule-kind"
              value={kind}
              checked={value.kind === kind}
              onChange={() => onChange({ ...value, kind })}
            />
            {label}
          </label>
        ))}
      </div>
      {value.kind === 'once' ? (
        <TextField
          label={trans.__('Date and time')}
          inline
          type="datetime-local"
          name="schedule-at"
          value={value.at}
          onChange={at => onChange({ ...value, at })}
        />
      ) : null}
      {value.kind === 'cron' ? (
        <TextField
          label={trans.__('Cron expression')}
          inline
          name="schedule-cron"
          value={value.cron}
          spellCheck={false}
          placeholder="0 9 * * MON-FRI"
          onChange={cron => onChange({ ...value, cron })}
        />
      ) : null}
      {described ? (
        <div
          className={`jp-OrchestJobs-cronDescription ${'error' in described ? 'jp-mod-warning' : ''}`}
          aria-live="polite"
        >
          {'text' in described
            ? described.text
            : described.error
              ? trans.__('Cannot describe it: %1', described.error)
              : trans.__('Five fields: minute hour day-of-month month day-of-week, or @hourly, @daily …')}
        </div>
      ) : null}
      {value.kind !== 'now' ? (
        <Choice
          label={trans.__('Time zone')}
          name="schedule-timezone"
          value={value.timezone}
          options={zones.map(zone => [zone, zone])}
          onChange={timezone => onChange({ ...value, timezone })}
        />
      ) : null}
      {props.problem ? <div className="jp-OrchestJobs-problem">{props.problem}</div> : null}
    </div>
  );
}
