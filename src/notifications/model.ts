/**
 * Webhooks in the browser: the form's fields, its checks, and the event
 * groups the form offers (Orchest's own grouping: "a job run failed" is the
 * failed run of a one-off job or of a cron job).
 */

import type { IWebhook, IWebhookSpec, WebhookContentType } from '../api';

/** What the form offers to subscribe to, each one or more event types. */
export const EVENT_GROUPS: { id: string; types: string[] }[] = [
  { id: 'job-run-failed', types: ['project:one-off-job:pipeline-run:failed', 'project:cron-job:run:pipeline-run:failed'] },
  { id: 'job-failed', types: ['project:one-off-job:failed'] },
  { id: 'job-succeeded', types: ['project:one-off-job:succeeded'] },
  { id: 'cron-run-started', types: ['project:cron-job:run:started'] }
];

export interface IWebhookForm {
  url: string;
  name: string;
  contentType: WebhookContentType;
  /** A new secret ('' with an existing one: keep it). */
  secret: string;
  removeSecret: boolean;
  verifySsl: boolean;
  groups: string[];
}

export interface IWebhookFormProblem {
  field: keyof IWebhookForm;
  problem: 'url' | 'events';
}

/** The form of a new webhook, or of `webhook`. */
export function formOf(webhook?: IWebhook): IWebhookForm {
  return {
    url: webhook?.url ?? '',
    name: webhook?.name ?? '',
    contentType: webhook?.content_type ?? 'application/json',
    secret: '',
    removeSecret: false,
    verifySsl: webhook?.verify_ssl ?? true,
    groups: webhook ? EVENT_GROUPS.filter(g => g.types.some(t => webhook.subscriptions.includes(t))).map(g => g.id) : []
  };
}

/** What is wrong with the form (the server judges again). */
export function formProblems(form: IWebhookForm): IWebhookFormProblem[] {
  const problems: IWebhookFormProblem[] = [];
  let url: URL | null = null;
  try {
    url = new URL(form.url.trim());
  } catch {
    url = null;
  }
  if (!url || !['http:', 'https:'].includes(url.protocol)) {
    problems.push({ field: 'url', problem: 'url' });
  }
  if (!form.groups.length) {
    problems.push({ field: 'groups', problem: 'events' });
  }
  return problems;
}

/** The spec to send: everything, except a secret left empty on an existing webhook (kept). */
export function specOf(form: IWebhookForm, existing: boolean): IWebhookSpec {
  const spec: IWebhookSpec = {
    url: form.url.trim(),
    name: form.name.trim(),
    content_type: form.contentType,
    verify_ssl: form.verifySsl,
    subscriptions: EVENT_GROUPS.filter(g => form.groups.includes(g.id)).flatMap(g => g.types)
  };
  if (form.removeSecret) {
    spec.secret = null;
  } else if (form.secret || !existing) {
    spec.secret = form.secret || null;
  }
  return spec;
}

/** How a webhook is named in a list: its name, else its URL's host. */
export function webhookLabel(webhook: IWebhook): string {
  if (webhook.name) {
    return webhook.name;
  }
  try {
    return new URL(webhook.url).host;
  } catch {
    return webhook.url;
  }
}
