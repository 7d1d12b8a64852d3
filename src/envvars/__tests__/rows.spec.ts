import { envRowProblems, envRows, envVariables } from '../rows';

const trans = { __: (text: string, ...args: unknown[]) => args.reduce<string>((t, a, i) => t.replace(`%${i + 1}`, String(a)), text) };

describe('environment variable rows', () => {
  it('turn into variables and back, empty rows left out', () => {
    expect(envVariables([{ name: ' A ', value: '1' }, { name: '', value: '' }])).toEqual({ A: '1' });
    expect(envRows({ A: '1', B: '' })).toEqual([{ name: 'A', value: '1' }, { name: 'B', value: '' }]);
  });

  it('are checked as the server checks them', () => {
    const problems = envRowProblems(
      [
        { name: 'GOOD', value: 'x' },
        { name: 'my-var', value: 'x' },
        { name: 'ORCHEST_X', value: 'x' },
        { name: 'GOOD', value: 'y' },
        { name: '', value: '' }
      ],
      trans
    );
    expect([...problems.keys()]).toEqual([1, 2, 3]);
    expect(problems.get(1)).toContain('"my-var" is not a variable name');
    expect(problems.get(3)).toBe('"GOOD" is given twice.');
  });
});
