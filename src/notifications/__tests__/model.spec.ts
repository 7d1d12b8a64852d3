import { IWebhook } from '../../api';
import { formOf, formProblems, specOf, webhookLabel } from '../model';

const webhook: IWebhook = {
  uuid: 'u',
  url: 'https://hooks.example.com/T/1',
  name: '',
  content_type: 'application/json',
  has_secret: true,
  verify_ssl: false,
  subscriptions: ['project:cron-job:run:pipeline-run:failed', 'project:one-off-job:succeeded'],
  created: ''
};

describe('the webhook form', () => {
  it('groups the subscriptions as Orchest did', () => {
    expect(formOf(webhook).groups).toEqual(['job-run-failed', 'job-succeeded']);
    expect(specOf(formOf(webhook), true).subscriptions).toEqual([
      'project:one-off-job:pipeline-run:failed',
      'project:cron-job:run:pipeline-run:failed',
      'project:one-off-job:succeeded'
    ]);
  });

  it('keeps a secret left empty, and removes it when asked', () => {
    expect('secret' in specOf(formOf(webhook), true)).toBe(false);
    expect(specOf({ ...formOf(webhook), secret: 'new' }, true).secret).toBe('new');
    expect(specOf({ ...formOf(webhook), removeSecret: true }, true).secret).toBeNull();
    expect(specOf(formOf(), false).secret).toBeNull();
  });

  it('names what is missing', () => {
    expect(formProblems(formOf()).map(p => p.field)).toEqual(['url', 'groups']);
    expect(formProblems({ ...formOf(), url: 'ftp://x', groups: ['job-failed'] })).toEqual([{ field: 'url', problem: 'url' }]);
    expect(formProblems(formOf(webhook))).toEqual([]);
    expect(webhookLabel(webhook)).toBe('hooks.example.com');
  });
});
