import { relativeTime } from '../relative';

const NOW = Date.parse('2026-11-30T12:00:00Z');
const at = (seconds: number): string => new Date(NOW + seconds * 1000).toISOString();

describe('relativeTime', () => {
  it('says past times in their largest whole unit', () => {
    expect(relativeTime(at(0), NOW, 'en')).toBe('now');
    expect(relativeTime(at(-15), NOW, 'en')).toBe('15 sec. ago');
    expect(relativeTime(at(-3 * 60 - 59), NOW, 'en')).toBe('3 min. ago');
    expect(relativeTime(at(-2 * 3600), NOW, 'en')).toBe('2 hr. ago');
    expect(relativeTime(at(-24 * 3600), NOW, 'en')).toBe('yesterday');
    expect(relativeTime(at(-400 * 24 * 3600), NOW, 'en')).toBe('last yr.');
  });

  it('says future times the same way, not rounded up to a year', () => {
    expect(relativeTime(at(3 * 3600 + 5), NOW, 'en')).toBe('in 3 hr.');
    expect(relativeTime(at(3 * 24 * 3600), NOW, 'en')).toBe('in 3 days');
    expect(relativeTime(at(90), NOW, 'en')).toBe('in 1 min.');
  });
});
