/**
 * Notifications: a project's webhooks and their deliveries (docs/jobs.md).
 */

/** The two content types a webhook can receive. */
export type WebhookContentType = 'application/json' | 'application/x-www-form-urlencoded';

/** What a webhook is made of, as it is sent (a change sends only what changes). */
export interface IWebhookSpec {
  url?: string;
  name?: string;
  content_type?: WebhookContentType;
  /** null or '': no secret (requests are not signed). */
  secret?: string | null;
  verify_ssl?: boolean;
  subscriptions?: string[];
}

/** A webhook as the server shows it: never its secret. */
export interface IWebhook {
  uuid: string;
  url: string;
  name: string;
  content_type: WebhookContentType;
  has_secret: boolean;
  verify_ssl: boolean;
  subscriptions: string[];
  created: string;
}

/** An event type a webhook can subscribe to. */
export interface IEventType {
  type: string;
  description: string;
}

/** One delivery of an event to a webhook (its tries so far). */
export interface IDelivery {
  uuid: string;
  webhook_uuid: string;
  webhook_name: string;
  event_type: string;
  status: 'SCHEDULED' | 'RESCHEDULED' | 'DELIVERED' | 'FAILED';
  attempts: number;
  created: string;
  last_attempt: string | null;
  next_attempt: string | null;
  status_code: number | null;
  error: string | null;
}

/** The answer of the Test button. */
export interface IWebhookTest {
  ok: boolean;
  status_code: number | null;
  error: string | null;
}
