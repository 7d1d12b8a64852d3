/**
 * The new-job form (in the main area): a job of the pipeline open in the
 * editor, with its name, parameter grid, schedule, environment variables
 * and policies; created as a draft (`POST /jobs`) and started at once
 * (`POST /jobs/<uuid>/start`) unless kept as a draft. The same form changes
 * a draft (`PATCH /jobs/<uuid>`).
 */

import { ReactWidget } from '@jupyterlab/ui-components';
import { Widget } from '@lumino/widgets';
import * as React from 'react';

import { APIError, IGridPreview, IJobWithRuns } from '../api';
import { EnvEditor } from './envEditor';
import { envRows } from '../envvars/rows';
import { IParameterSchema } from '../paramforms/schemas';
import { loadGridSchemas } from '../paramforms/values';
import { CheckField, Field, TextField } from '../components/field';
import { Choice } from './fields';
import { checkForm, IJobForm, isValid, jobForm, newJobForm, settingsOf } from './form';
import { axesOf, gridOf, IAxis, IGridProblems, ownerTitles, runCount, sortProblems } from './grid';
import { GridEditor } from './gridEditor';
import { missedFiresLabel, overlapLabel } from './labels';
import { JobsManager } from './manager';
import { SchedulePicker } from './scheduleEditor';

interface INewJobProps {
  manager: JobsManager;
  /** The pipeline file, relative to the server's root. */
  path: string;
  pipelineName: string;
  /** The draft to change, when not making a new job. */
  draft?: IJobWithRuns;
  /** Close the form. */
  onDone(): void;
}

/** The server's last answer about the grid, and the grid it was about. */
interface IGridState {
  preview: IGridPreview | null;
  problems: IGridProblems | null;
  key: string | null;
}

/**
 * The server's expansion of the grid, asked again (debounced) whenever it
 * changes; `current` when the answer is about the grid as it is now.
 */
function useGridPreview(
  manager: JobsManager,
  path: string,
  form: IJobForm,
  ready: boolean
): IGridState & { current: boolean } {
  const [state, setState] = React.useState<IGridState>({ preview: null, problems: null, key: null });
  const grid = gridOf(form.axes);
  const key = 'grid' in grid ? JSON.stringify([grid.grid, form.deselected]) : null;
  React.useEffect(() => {
    if (!ready || key === null) {
      return;
    }
    let cancelled = false;
    const [parameters, deselected] = JSON.parse(key);
    const timer = window.setTimeout(() => {
      manager.api
        .previewGrid(path, parameters, deselected)
        .then(preview => !cancelled && setState({ preview, problems: null, key }))
        .catch(error => {
          if (!cancelled) {
            const errors = error instanceof APIError ? error.errors : [];
            setState({ preview: null, problems: sortProblems((error as Error).message, errors), key });
          }
        });
    }, 250);
    return () => {
      cancelled = true;
      window.clearTimeout(timer);
    };
  }, [manager, path, key, ready]);
  return { ...state, current: state.key !== null && state.key === key };
}

function NewJobView(props: INewJobProps): JSX.Element {
  const { manager, path, pipelineName, draft } = props;
  const { api, trans } = manager;
  const [form, setForm] = React.useState<IJobForm>(() => (draft ? jobForm(draft) : newJobForm(pipelineName)));
  const [titles, setTitles] = React.useState(() => ownerTitles(draft?.pipeline ?? null, pipelineName));
  const [ready, setReady] = React.useState(!!draft);
  const [loadError, setLoadError] = React.useState<string | null>(null);
  const [submitError, setSubmitError] = React.useState<string | null>(null);
  const [busy, setBusy] = React.useState(false);
  const [checked, setChecked] = React.useState(false);

  // A new job starts from the server's pre-filled grid (defaults and the
  // pipeline's .parameters.json), with the step titles of the saved file.
  React.useEffect(() => {
    if (draft) {
      return;
    }
    let cancelled = false;
    // As Orchest: the job starts with a copy of the project's and pipeline's variables.
    const variables = api.getEnvVariables(path).then(
      answer => answer.merged,
      () => ({})
    );
    Promise.all([api.previewGrid(path), api.getPipeline(path), variables])
      .then(([preview, pipeline, env]) => {
        if (!cancelled) {
          setForm(f => ({ ...f, axes: axesOf(preview.parameters), env: envRows(env) }));
          setTitles(ownerTitles(pipeline.pipeline, pipelineName));
          setReady(true);
        }
      })
      .catch(error => !cancelled && setLoadError((error as Error).message));
    return () => {
      cancelled = true;
    };
  }, [api, path, draft, pipelineName]);

  const [schemas, setSchemas] = React.useState<Map<string, IParameterSchema>>(new Map());
  React.useEffect(() => {
    let cancelled = false;
    (draft ? Promise.resolve({ pipeline: draft.pipeline }) : api.getPipeline(path))
      .then(answer => loadGridSchemas(api.serverSettings, path, answer.pipeline))
      .then(found => !cancelled && setSchemas(found))
      .catch(() => undefined); // no forms: the values are edited as text
    return () => {
      cancelled = true;
    };
  }, [api, path, draft]);

  const { preview, problems, current } = useGridPreview(manager, path, form, ready);
  const formProblems = checkForm(form, trans);
  const grid = gridOf(form.axes);
  // The server's count once it answered about this grid; until then the
  // same product computed here.
  const runs = current
    ? preview?.runs_per_fire ?? null
    : 'grid' in grid
      ? runCount(grid.grid, form.deselected)
      : null;
  const update = (change: Partial<IJobForm>): void => setForm(f => ({ ...f, ...change }));
  // Combination indices mean nothing once the lists change.
  const setAxes = (axes: IAxis[]): void => update({ axes, deselected: [] });
  const dirty = manager.tracker.find(w => w.context.path === path)?.context.model.dirty ?? false;

  const submit = async (start: boolean): Promise<void> => {
    setChecked(true);
    if (!isValid(formProblems) || busy) {
      return;
    }
    setBusy(true);
    setSubmitError(null);
    let job: IJobWithRuns | null = null;
    try {
      const settings = settingsOf(form);
      job = draft ? await api.updateJob(draft.uuid, settings) : await api.createJob(path, settings);
      if (start) {
        job = await api.jobAction(job.uuid, 'start');
      }
    } catch (error) {
      setSubmitError((error as Error).message);
      await manager.showError(
        job ? trans.__('The job was saved as a draft but could not start') : trans.__('The job was not saved'),
        error
      );
    } finally {
      setBusy(false);
    }
    if (job) {
      props.onDone();
      manager.openJob(job.uuid, job.name);
    }
  };

  if (loadError) {
    return (
      <div className="jp-OrchestJobs-form">
        <h2>{trans.__('New job of %1', pipelineName)}</h2>
        <div className="jp-OrchestJobs-problem">{loadError}</div>
      </div>
    );
  }
  const show = (problem: string | undefined): string | null => (checked ? problem ?? null : null);
  return (
    <form
      className="jp-OrchestJobs-form"
      onSubmit={e => {
        e.preventDefault();
        void submit(true);
      }}
    >
      <h2>{draft ? trans.__('Change draft job %1', draft.name) : trans.__('New job of %1', pipelineName)}</h2>
      <div className="jp-OrchestJobs-hint">{path}</div>
      {dirty ? (
        <div className="jp-OrchestJobs-warning">
          {trans.__('The pipeline has unsaved changes: the job runs the saved file.')}
        </div>
      ) : null}
      <TextField
        label={trans.__('Name')}
        problem={show(formProblems.name)}
        inline
        name="job-name"
        value={form.name}
        onChange={name => update({ name })}
      />

      <h3>{trans.__('Parameters')}</h3>
      {ready ? (
        <GridEditor
          trans={trans}
          axes={form.axes}
          titles={titles}
          preview={preview}
          problems={problems}
          unreadable={formProblems.grid}
          runs={runs}
          deselected={form.deselected}
          schemas={schemas}
          onAxes={setAxes}
          onDeselected={deselected => update({ deselected })}
        />
      ) : (
        <div className="jp-OrchestJobs-hint">{trans.__('Loading the parameters…')}</div>
      )}

      <h3>{trans.__('Schedule')}</h3>
      <SchedulePicker
        trans={trans}
        value={form.schedule}
        locale={manager.cronLocale}
        problem={show(formProblems.schedule)}
        onChange={schedule => update({ schedule })}
      />

      <h3>{trans.__('Environment variables')}</h3>
      <EnvEditor
        trans={trans}
        rows={form.env}
        problems={checked ? formProblems.env : new Map()}
        onChange={env => update({ env })}
      />

      <h3>{trans.__('Runs')}</h3>
      <Field
        label={trans.__('Keep at most this many finished runs (blank: all)')}
        problem={show(formProblems.maxRetained)}
        inline
      >
        <input
          name="max-retained"
          inputMode="numeric"
          value={form.maxRetained}
          onChange={e => update({ maxRetained: e.target.value })}
        />
      </Field>
      <Choice
        label={trans.__('A fire while the earlier runs still run')}
        name="overlap"
        value={form.overlap}
        options={[
          ['skip', overlapLabel(trans, 'skip')],
          ['queue', overlapLabel(trans, 'queue')]
        ]}
        onChange={overlap => update({ overlap })}
      />
      <Choice
        label={trans.__('Fire times missed while the server was down')}
        name="missed-fires"
        value={form.missedFires}
        options={[
          ['skip', missedFiresLabel(trans, 'skip')],
          ['run_once', missedFiresLabel(trans, 'run_once')]
        ]}
        onChange={missedFires => update({ missedFires })}
      />
      <CheckField
        name="cache"
        label={trans.__('Every run uses the step cache: steps whose inputs are unchanged are not run again')}
        checked={form.cache}
        onChange={cache => update({ cache })}
      />

      {submitError ? <div className="jp-OrchestJobs-problem jp-OrchestJobs-submitError">{submitError}</div> : null}
      <div className="jp-OrchestJobs-buttons">
        <button type="submit" className="jp-mod-styled jp-mod-accept jp-OrchestJobs-create" disabled={busy}>
          {form.schedule.kind === 'now' ? trans.__('Create and run') : trans.__('Create and schedule')}
        </button>
        <button
          type="button"
          className="jp-mod-styled jp-OrchestJobs-draft"
          disabled={busy}
          onClick={() => void submit(false)}
        >
          {draft ? trans.__('Save the draft') : trans.__('Save as draft')}
        </button>
        <button type="button" className="jp-mod-styled jp-mod-reject" onClick={props.onDone}>
          {trans.__('Cancel')}
        </button>
      </div>
    </form>
  );
}

/** The new-job form of a pipeline, or the form of a draft (closes itself when done). */
export function createJobForm(
  manager: JobsManager,
  options: { path: string; pipelineName: string; draft?: IJobWithRuns; widgetId: string }
): Widget {
  return ReactWidget.create(
    <NewJobView
      manager={manager}
      path={options.path}
      pipelineName={options.pipelineName}
      draft={options.draft}
      onDone={() => manager.close(options.widgetId)}
    />
  );
}
