/**
 * The notifications section of the Orchest sidebar: the webhooks of the
 * project of the pipeline in the current editor, with Add, Edit, Test and
 * Remove, and the delivery history (read again as job events come).
 */

import { Dialog, IWidgetTracker, showDialog, showErrorMessage } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import { addIcon, bellIcon, deleteIcon, editIcon, historyIcon, refreshIcon, ReactWidget } from '@jupyterlab/ui-components';
import { Widget } from '@lumino/widgets';
import * as React from 'react';

import { IDelivery, IEventType, IWebhook, OrchestAPI } from '../api';
import { IconButton } from '../components/iconbutton';
import { useCurrentPipeline } from '../editor/hooks';
import { PipelineWidget } from '../editor/widget';
import { EventsClient, OrchestEvent } from '../events';
import { askWebhookForm } from './form';
import { specOf, webhookLabel } from './model';

/** Events after which the history may have changed. */
const JOB_EVENTS = new Set(['job-run', 'job-ended', 'job-fired', 'reset']);

interface IProps {
  api: OrchestAPI;
  events: EventsClient;
  tracker: IWidgetTracker<PipelineWidget>;
  trans: TranslationBundle;
}

function Deliveries(props: { deliveries: IDelivery[]; types: IEventType[]; trans: TranslationBundle }): JSX.Element {
  const { deliveries, types, trans } = props;
  const describe = (type: string): string =>
    type === 'ping' ? trans.__('Test') : types.find(t => t.type === type)?.description ?? type;
  if (!deliveries.length) {
    return <div className="jp-OrchestSidebar-empty">{trans.__('Nothing was sent yet.')}</div>;
  }
  return (
    <ul className="jp-OrchestDeliveries">
      {deliveries.map(d => (
        <li key={d.uuid} className="jp-OrchestDelivery" data-status={d.status} title={d.error ?? ''}>
          <span className={`jp-OrchestRunStatus-dot jp-mod-${d.status === 'DELIVERED' ? 'success' : d.status === 'FAILED' ? 'failure' : 'started'}`} />
          <span className="jp-OrchestSidebar-name">{describe(d.event_type)}</span>
          <span className="jp-OrchestSidebar-meta">
            {d.webhook_name || d.webhook_uuid.slice(0, 8)} · {d.status.toLowerCase()}
            {d.attempts > 1 ? ` · ${trans.__('%1 tries', d.attempts)}` : ''}
            {d.status_code ? ` · ${d.status_code}` : ''}
          </span>
          {d.error ? <div className="jp-OrchestDelivery-error">{d.error}</div> : null}
        </li>
      ))}
    </ul>
  );
}

function NotificationsSection(props: IProps): JSX.Element {
  const { api, events, tracker, trans } = props;
  const pipeline = useCurrentPipeline(tracker);
  const [webhooks, setWebhooks] = React.useState<IWebhook[] | null>(null);
  const [types, setTypes] = React.useState<IEventType[]>([]);
  const [history, setHistory] = React.useState<IDelivery[] | null>(null);
  const [showHistory, setShowHistory] = React.useState(false);
  const [error, setError] = React.useState<string | null>(null);
  const [reload, setReload] = React.useState(0);
  const bump = React.useCallback(() => setReload(r => r + 1), []);

  React.useEffect(() => {
    let cancelled = false;
    if (pipeline === null) {
      setWebhooks(null);
      return;
    }
    const reading = Promise.all([api.listWebhooks(pipeline), showHistory ? api.listDeliveries(pipeline) : null]);
    reading
      .then(([body, deliveries]) => {
        if (!cancelled) {
          setWebhooks(body.webhooks);
          setTypes(body.event_types);
          setHistory(deliveries);
          setError(null);
        }
      })
      .catch(e => !cancelled && setError((e as Error).message));
    return () => {
      cancelled = true;
    };
  }, [api, pipeline, reload, showHistory]);

  React.useEffect(() => {
    if (!showHistory) {
      return;
    }
    let timer = 0;
    const onEvent = (_: EventsClient, event: OrchestEvent): void => {
      if (JOB_EVENTS.has(event.type)) {
        // Deliveries follow job events within a moment: read once they are sent.
        window.clearTimeout(timer);
        timer = window.setTimeout(bump, 1500);
      }
    };
    events.received.connect(onEvent);
    return () => {
      window.clearTimeout(timer);
      events.received.disconnect(onEvent);
    };
  }, [events, showHistory, bump]);

  const save = async (webhook?: IWebhook): Promise<void> => {
    const form = await askWebhookForm(trans, webhook);
    if (form === null || pipeline === null) {
      return;
    }
    try {
      await api.saveWebhook(pipeline, specOf(form, !!webhook), webhook?.uuid);
    } catch (e) {
      void showErrorMessage(trans.__('The webhook was not saved'), e as Error);
    }
    bump();
  };
  const test = async (webhook: IWebhook): Promise<void> => {
    try {
      const result = await api.testWebhook(pipeline!, webhook.uuid);
      const body = result.ok
        ? trans.__('The endpoint answered %1.', result.status_code ?? '')
        : trans.__('Not delivered: %1.', result.error ?? '');
      await showDialog({
        title: result.ok ? trans.__('Test sent') : trans.__('Test failed'),
        body,
        buttons: [Dialog.okButton({ label: trans.__('OK') })]
      });
    } catch (e) {
      void showErrorMessage(trans.__('The test was not sent'), e as Error);
    }
    bump();
  };
  const remove = async (webhook: IWebhook): Promise<void> => {
    const confirm = await showDialog({
      title: trans.__('Remove the webhook “%1”?', webhookLabel(webhook)),
      body: trans.__('It receives no more events; its delivery history is kept.'),
      buttons: [Dialog.cancelButton({ label: trans.__('Cancel') }), Dialog.warnButton({ label: trans.__('Remove') })]
    });
    if (confirm.button.accept) {
      await api.deleteWebhook(pipeline!, webhook.uuid).catch(e => showErrorMessage(trans.__('Not removed'), e as Error));
      bump();
    }
  };

  return (
    <section className="jp-OrchestSidebar-section jp-OrchestNotifications">
      <header className="jp-OrchestSidebar-header">
        <h3>{trans.__('Notifications')}</h3>
        {pipeline !== null ? (
          <>
            <IconButton icon={addIcon} action="add-webhook" title={trans.__('Add a webhook')} onClick={() => void save()} />
            <IconButton
              icon={historyIcon}
              action="history"
              title={showHistory ? trans.__('Hide the delivery history') : trans.__('Show the delivery history')}
              onClick={() => setShowHistory(s => !s)}
            />
            <IconButton icon={refreshIcon} action="refresh" title={trans.__('Refresh')} onClick={bump} />
          </>
        ) : null}
      </header>
      {error ? <div className="jp-OrchestSidebar-error">{error}</div> : null}
      {pipeline === null ? (
        <div className="jp-OrchestSidebar-empty">{trans.__('Open a pipeline to see its project’s webhooks.')}</div>
      ) : webhooks?.length === 0 ? (
        <div className="jp-OrchestSidebar-empty">{trans.__('No webhooks: add one to hear about this project’s jobs.')}</div>
      ) : null}
      <ul className="jp-OrchestWebhooks">
        {(webhooks ?? []).map(w => (
          <li key={w.uuid} className="jp-OrchestWebhook" data-webhook-uuid={w.uuid} title={w.url}>
            <bellIcon.react tag="span" className="jp-OrchestSidebar-icon" />
            <span className="jp-OrchestSidebar-name">{webhookLabel(w)}</span>
            <span className="jp-OrchestSidebar-meta">{trans._n('%1 event', '%1 events', w.subscriptions.length)}</span>
            <span className="jp-OrchestWebhook-actions">
              <IconButton
                icon={bellIcon}
                action="test"
                label={trans.__('Test')}
                title={trans.__('Send a test event')}
                onClick={() => void test(w)}
              />
              <IconButton icon={editIcon} action="edit" label={trans.__('Edit')} title={trans.__('Edit')} onClick={() => void save(w)} />
              <IconButton
                icon={deleteIcon}
                action="delete"
                label={trans.__('Remove')}
                title={trans.__('Remove')}
                onClick={() => void remove(w)}
              />
            </span>
          </li>
        ))}
      </ul>
      {showHistory && history ? (
        <>
          <h4 className="jp-OrchestNotifications-subheading">{trans.__('Deliveries')}</h4>
          <Deliveries deliveries={history} types={types} trans={trans} />
        </>
      ) : null}
    </section>
  );
}

/**
 * The notifications section, as a widget for the Orchest sidebar.
 */
export function createNotificationsSection(props: IProps): Widget {
  const widget = ReactWidget.create(<NotificationsSection {...props} />);
  widget.addClass('jp-OrchestNotifications-widget');
  return widget;
}
