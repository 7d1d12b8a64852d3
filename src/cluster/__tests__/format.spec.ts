import { formatBytes, formatResources } from '../format';

describe('the cluster section', () => {
  it('shows memory in binary units', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1.5 * 2 ** 30)).toBe('1.5 GiB');
    expect(formatBytes(16 * 2 ** 30)).toBe('16 GiB');
  });

  it('shows resources as Dask names them, sorted', () => {
    expect(formatResources({ MEMORY: 8e9, GPU: 1 })).toBe('GPU=1, MEMORY=8000000000');
    expect(formatResources({})).toBe('');
  });
});
