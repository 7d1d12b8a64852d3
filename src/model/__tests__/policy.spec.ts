import { parsePolicy, policyValue, withPolicy } from '../policy';

describe('step retries and timeout', () => {
  it('reads a text as the field wants it', () => {
    expect(parsePolicy('retries', '2')).toEqual({ value: 2 });
    expect(parsePolicy('retries', ' ')).toEqual({ value: undefined });
    expect(parsePolicy('retries', '1.5')).toEqual({ problem: 'whole' });
    expect(parsePolicy('retries', '-1')).toEqual({ problem: 'whole' });
    expect(parsePolicy('retries', '101')).toEqual({ problem: 'too-large' });
    expect(parsePolicy('retry_delay', '0.5')).toEqual({ value: 0.5 });
    expect(parsePolicy('retry_delay', 'soon')).toEqual({ problem: 'number' });
    expect(parsePolicy('timeout', '0')).toEqual({ problem: 'positive' });
    expect(parsePolicy('timeout', '90')).toEqual({ value: 90 });
  });

  it('changes one field and drops the key when nothing is left', () => {
    const step = { title: 'A', orchest_jlab: { retries: 2, other: 'kept' } };
    expect(policyValue(step, 'retries')).toBe(2);
    expect(policyValue(step, 'timeout')).toBeUndefined();
    expect(withPolicy(step, 'timeout', 30)).toEqual({ retries: 2, other: 'kept', timeout: 30 });
    expect(withPolicy({ orchest_jlab: { retries: 2 } }, 'retries', undefined)).toBeUndefined();
    expect(withPolicy({}, 'retry_delay', 5)).toEqual({ retry_delay: 5 });
  });
});
