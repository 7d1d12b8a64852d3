/**
 * The services section of the pipeline's properties: the pipeline's services
 * in start order, each with its status in the session (or, in a run view, in
 * the run), its URLs and log; add, edit, move and remove them (written into
 * the document's `services` only when valid).
 */

import { TranslationBundle } from '@jupyterlab/translation';
import { caretDownIcon, caretRightIcon, caretUpIcon, closeIcon } from '@jupyterlab/ui-components';
import * as React from 'react';

import { IService, ServicesOf } from '../api';
import { CommandIDs } from '../commands/ids';
import { PipelineController } from '../editor/controller';
import { RunViewController } from '../editor/runview';
import { IEditorServices } from '../editor/services';
import { stringify } from '../model';
import { serviceStatusLabel } from '../status';
import { ServiceForm } from './form';
import { ServiceMonitor, serviceUrls } from './live';
import { checkDraft, IDraftContext, isValidDraft } from './checks';
import { IServiceDraft, newServiceDraft, serviceDraft, serviceFromDraft } from './draft';
import {
  ENVIRONMENT_IMAGE_PREFIX,
  IServiceView,
  nextOrder,
  servicesObject,
  servicesOf,
  withoutService,
  withService,
  withServiceMoved
} from './model';

const monitors = new WeakMap<object, ServiceMonitor>();

/** The page's monitor of live services (one per events client). */
export function serviceMonitor(services: Pick<IEditorServices, 'api' | 'events'>): ServiceMonitor {
  let monitor = monitors.get(services.events);
  if (!monitor) {
    monitor = new ServiceMonitor(services.api, services.events);
    monitors.set(services.events, monitor);
  }
  return monitor;
}

/** Whose services the view shows: the run's in a run view, else the pipeline's session's. */
export function servicesOfView(controller: PipelineController): ServicesOf {
  return controller instanceof RunViewController ? { run: controller.runUuid } : { pipeline: controller.path };
}

/** The live services of a session or run, watched while the component shows. */
function useLiveServices(monitor: ServiceMonitor, of: ServicesOf): { services: IService[] | null; error: string | null } {
  const [, setVersion] = React.useState(0);
  const key = JSON.stringify(of);
  React.useEffect(() => {
    const handle = monitor.watch(of);
    const onChange = (): void => setVersion(v => v + 1);
    monitor.changed.connect(onChange);
    return () => {
      monitor.changed.disconnect(onChange);
      handle.dispose();
    };
  }, [monitor, key]);
  return { services: monitor.services(of), error: monitor.error(of) };
}

/** A service's status, URLs and log, as the session or run has it. */
function LiveStatus(props: { live: IService; commands: IEditorServices['commands']; trans: TranslationBundle }): JSX.Element {
  const { live, commands, trans } = props;
  const urls = live.status === 'RUNNING' ? serviceUrls(live, window.location.origin) : [];
  return (
    <div className="jp-OrchestServices-live">
      <span
        className={`jp-OrchestServices-status jp-mod-${live.status.toLowerCase()}`}
        title={live.message ?? undefined}
      >
        {serviceStatusLabel(trans, live.status)}
      </span>
      {urls.map(({ port, url }) => (
        <button
          key={port}
          type="button"
          className="jp-mod-styled jp-mod-reject"
          title={url}
          onClick={() => void commands.execute(CommandIDs.openService, { url, name: live.name, port })}
        >
          {trans.__('Open :%1', port)}
        </button>
      ))}
      <button
        type="button"
        className="jp-mod-styled jp-mod-reject"
        onClick={() =>
          void commands.execute(CommandIDs.openServiceLog, {
            of: servicesOfOwner(live),
            name: live.name,
            sessionUuid: live.session_uuid
          })
        }
      >
        {trans.__('Log')}
      </button>
      {live.status === 'FAILURE' && live.message ? (
        <div className="jp-OrchestServices-message">{live.message}</div>
      ) : null}
    </div>
  );
}

function servicesOfOwner(live: IService): ServicesOf {
  return live.owner.kind === 'run' ? { run: live.owner.run_uuid } : { pipeline: live.owner.pipeline_path };
}

/** An image as the list shows it: an environment by its name. */
function imageLabel(image: string, controller: PipelineController, trans: TranslationBundle): string {
  if (image.startsWith(ENVIRONMENT_IMAGE_PREFIX)) {
    const uuid = image.slice(ENVIRONMENT_IMAGE_PREFIX.length);
    const environment = controller.environments?.find(e => e.uuid === uuid);
    return environment ? trans.__('Environment: %1', environment.name) : image;
  }
  return image;
}

/** One service of the document: its summary, and its form when open. */
function ServiceRow(props: {
  view: IServiceView;
  live: IService | undefined;
  context: IDraftContext;
  controller: PipelineController;
  trans: TranslationBundle;
  open: boolean;
  first: boolean;
  last: boolean;
  onToggle(): void;
  /** The service was written under a new name (its row's key changes). */
  onRenamed(name: string): void;
}): JSX.Element {
  const { view, live, context, controller, trans } = props;
  const model = controller.model!;
  const disabled = controller.readOnly;
  const stored = React.useMemo(() => stringify(view.service), [view.service]);
  const [draft, setDraft] = React.useState(() => serviceDraft(view.service));
  React.useEffect(() => setDraft(serviceDraft(view.service)), [stored]);
  const problems = checkDraft(draft, context, trans);
  const services = (): ReturnType<typeof servicesObject> => servicesObject(model.document);
  const onChange = (next: IServiceDraft, commit: boolean): void => {
    setDraft(next);
    if (commit && !disabled && isValidDraft(checkDraft(next, context, trans))) {
      const service = serviceFromDraft(next, view.service, nextOrder(model.document));
      if (stringify(service) !== stored) {
        model.updatePipeline({ services: withService(services(), view.key, service) }, 'Edit service');
        if (next.name !== view.key) {
          props.onRenamed(next.name);
        }
      }
    }
  };
  const move = (delta: -1 | 1): void => {
    const moved = withServiceMoved(model.document, view.key, delta);
    if (moved) {
      model.updatePipeline({ services: moved }, 'Move service');
    }
  };
  const invalid = !isValidDraft(problems);
  return (
    <li className={`jp-OrchestServices-item ${invalid ? 'jp-mod-invalid' : ''}`} data-service={view.key}>
      <div className="jp-OrchestServices-row">
        <button
          type="button"
          className="jp-OrchestServices-toggle"
          aria-expanded={props.open}
          aria-label={trans.__('Service %1', view.name)}
          title={props.open ? trans.__('Close the form') : trans.__('Edit the service')}
          onClick={props.onToggle}
        >
          {props.open ? <caretDownIcon.react tag="span" /> : <caretRightIcon.react tag="span" />}
          <span className="jp-OrchestServices-name">{view.name}</span>
          <span className="jp-OrchestServices-image" title={view.image}>
            {imageLabel(view.image, controller, trans)}
          </span>
        </button>
        {disabled ? null : (
          <>
            <button
              type="button"
              className="jp-OrchestServices-iconButton"
              title={trans.__('Start earlier')}
              disabled={props.first}
              onClick={() => move(-1)}
            >
              <caretUpIcon.react tag="span" />
            </button>
            <button
              type="button"
              className="jp-OrchestServices-iconButton"
              title={trans.__('Start later')}
              disabled={props.last}
              onClick={() => move(1)}
            >
              <caretDownIcon.react tag="span" />
            </button>
            <button
              type="button"
              className="jp-OrchestServices-iconButton"
              title={trans.__('Remove the service %1', view.name)}
              onClick={() =>
                model.updatePipeline({ services: withoutService(services(), view.key) }, 'Remove service')
              }
            >
              <closeIcon.react tag="span" />
            </button>
          </>
        )}
      </div>
      {live ? <LiveStatus live={live} commands={controller.services.commands} trans={trans} /> : null}
      {invalid && !props.open ? (
        <div className="jp-OrchestServices-message">{trans.__('Not valid: open it to see why.')}</div>
      ) : null}
      {props.open ? (
        <ServiceForm
          draft={draft}
          problems={problems}
          environments={controller.environments}
          showEntrypoint={typeof view.service.entrypoint === 'string'}
          disabled={disabled}
          trans={trans}
          onChange={onChange}
        />
      ) : null}
    </li>
  );
}

/** The form of a service being added: written once valid and confirmed. */
function NewService(props: {
  controller: PipelineController;
  context: IDraftContext;
  trans: TranslationBundle;
  onClose(name: string | null): void;
}): JSX.Element {
  const { controller, context, trans } = props;
  const model = controller.model!;
  const [draft, setDraft] = React.useState(() => newServiceDraft(context.otherNames));
  const problems = checkDraft(draft, context, trans);
  const add = (): void => {
    if (isValidDraft(problems)) {
      const service = serviceFromDraft(draft, null, nextOrder(model.document));
      model.updatePipeline({ services: withService(servicesObject(model.document), null, service) }, 'Add service');
      props.onClose(draft.name);
    }
  };
  return (
    <div className="jp-OrchestServices-new" role="group" aria-label={trans.__('New service')}>
      <h4 className="jp-OrchestServices-heading">{trans.__('New service')}</h4>
      <ServiceForm
        draft={draft}
        problems={problems}
        environments={controller.environments}
        showEntrypoint={false}
        disabled={false}
        trans={trans}
        onChange={next => setDraft(next)}
      />
      <div className="jp-OrchestProps-actions">
        <button type="button" className="jp-mod-styled jp-mod-accept" disabled={!isValidDraft(problems)} onClick={add}>
          {trans.__('Add')}
        </button>
        <button type="button" className="jp-mod-styled jp-mod-reject" onClick={() => props.onClose(null)}>
          {trans.__('Cancel')}
        </button>
      </div>
    </div>
  );
}

/**
 * The pipeline's services, for the properties panel.
 */
export function ServicesSection(props: { controller: PipelineController; trans: TranslationBundle }): JSX.Element {
  const { controller, trans } = props;
  const model = controller.model!;
  const of = servicesOfView(controller);
  const live = useLiveServices(serviceMonitor(controller.services), of);
  const [open, setOpen] = React.useState<string | null>(null);
  const [adding, setAdding] = React.useState(false);
  const views = servicesOf(model.document);
  const names = views.map(v => v.name);
  const environments = controller.environments?.map(e => e.uuid) ?? null;
  const contextOf = (key: string | null): IDraftContext => ({
    otherNames: new Set(views.filter(v => v.key !== key).map(v => v.name)),
    environments
  });
  const liveByName = new Map((live.services ?? []).map(s => [s.name, s]));
  // Services the session or run still has under a name the file no longer holds.
  const gone = (live.services ?? []).filter(s => !names.includes(s.name));
  return (
    <section className="jp-OrchestServices" aria-label={trans.__('Services')}>
      <h3 className="jp-OrchestProps-heading">{trans.__('Services')}</h3>
      {views.length === 0 && !adding ? (
        <p className="jp-OrchestProps-hint">
          {trans.__('Long-running containers next to the steps (a database, TensorBoard, Streamlit…), reached by name.')}
        </p>
      ) : null}
      <ol className="jp-OrchestServices-list">
        {views.map((view, i) => (
          <ServiceRow
            key={view.key}
            view={view}
            live={liveByName.get(view.name)}
            context={contextOf(view.key)}
            controller={controller}
            trans={trans}
            open={open === view.key}
            first={i === 0}
            last={i === views.length - 1}
            onToggle={() => setOpen(open === view.key ? null : view.key)}
            onRenamed={setOpen}
          />
        ))}
        {gone.map(service => (
          <li className="jp-OrchestServices-item jp-mod-gone" key={`live-${service.name}`}>
            <div className="jp-OrchestServices-row">
              <span className="jp-OrchestServices-name">{service.name}</span>
              <span className="jp-OrchestServices-image">{trans.__('no longer in the file')}</span>
            </div>
            <LiveStatus live={service} commands={controller.services.commands} trans={trans} />
          </li>
        ))}
      </ol>
      {live.error ? <div className="jp-OrchestServices-message">{live.error}</div> : null}
      {adding ? (
        <NewService
          controller={controller}
          context={contextOf(null)}
          trans={trans}
          onClose={name => {
            setAdding(false);
            if (name) {
              setOpen(name);
            }
          }}
        />
      ) : controller.readOnly ? null : (
        <div className="jp-OrchestProps-actions">
          <button type="button" className="jp-mod-styled jp-mod-reject" onClick={() => setAdding(true)}>
            {trans.__('Add service')}
          </button>
        </div>
      )}
    </section>
  );
}
