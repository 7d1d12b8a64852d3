/**
 * The grid editor's logic: values as rows or JSON, the grid it posts, its
 * size, and the server's problems mapped to parameters by JSON pointer.
 */
import {
  axesOf,
  axisValues,
  describeParameters,
  formatRow,
  gridOf,
  gridSize,
  IAxis,
  ownerTitles,
  parameterKey,
  parsePointer,
  parseRow,
  runCount,
  sortProblems,
  switchMode
} from '../grid';

const STEP = '1b5c6d2e-3f4a-4b6c-8d7e-9f0a1b2c3d4e';

describe('rows', () => {
  it('reads JSON values, and other text as strings', () => {
    expect(parseRow('42')).toBe(42);
    expect(parseRow(' 0.5 ')).toBe(0.5);
    expect(parseRow('true')).toBe(true);
    expect(parseRow('"42"')).toBe('42');
    expect(parseRow('[1, 2]')).toEqual([1, 2]);
    expect(parseRow('celsius')).toBe('celsius');
  });

  it('writes values back so that they read the same', () => {
    for (const value of ['celsius', '42', 'true', '', 7, 0.1, null, { a: 1 }, [1, 'x']]) {
      expect(parseRow(formatRow(value))).toEqual(value);
    }
    expect(formatRow('celsius')).toBe('celsius');
    expect(formatRow('42')).toBe('"42"');
  });
});

describe('axes', () => {
  const grid = { pipeline_parameters: { unit: ['celsius', 'kelvin'] }, [STEP]: { days: [7, 30, 90] } };

  it('are the parameters in the grid order, as rows', () => {
    const axes = axesOf(grid);
    expect(axes.map(a => [a.owner, a.name, a.rows])).toEqual([
      ['pipeline_parameters', 'unit', ['celsius', 'kelvin']],
      [STEP, 'days', ['7', '30', '90']]
    ]);
    expect(gridOf(axes)).toEqual({ grid });
  });

  it('leave out blank rows', () => {
    const axis: IAxis = { owner: STEP, name: 'days', mode: 'rows', rows: ['1', ' ', '2', ''], text: '' };
    expect(axisValues(axis)).toEqual({ value: [1, 2] });
  });

  it('pass a JSON text that is not a list on to the server, and name a text that is not JSON', () => {
    const axis: IAxis = { owner: STEP, name: 'days', mode: 'json', rows: [], text: '5' };
    expect(gridOf([axis])).toEqual({ grid: { [STEP]: { days: 5 } } });
    const broken = { ...axis, text: '[1, 2' };
    const result = gridOf([broken]);
    expect('errors' in result && result.errors.has(parameterKey(STEP, 'days'))).toBe(true);
  });

  it('switch between rows and JSON keeping the values', () => {
    const [axis] = axesOf({ [STEP]: { days: [7, 'x'] } });
    const json = switchMode(axis, 'json');
    expect(json.mode).toBe('json');
    expect(JSON.parse(json.text)).toEqual([7, 'x']);
    const back = switchMode({ ...json, text: '[1, "2", true]' }, 'rows');
    expect(back.rows).toEqual(['1', '"2"', 'true']);
    // A text that does not read stays in json mode, as typed.
    const stuck = switchMode({ ...json, text: '[1,' }, 'rows');
    expect(stuck.mode).toBe('json');
  });
});

describe('grid size', () => {
  it('is the product of the lists, less the deselected combinations', () => {
    const grid = { pipeline_parameters: { a: [1, 2] }, [STEP]: { b: [1, 2, 3] } };
    expect(gridSize(grid)).toBe(6);
    expect(runCount(grid, [])).toBe(6);
    expect(runCount(grid, [0, 5, 5])).toBe(4);
    expect(runCount(grid, [9])).toBe(6);
    expect(gridSize({})).toBe(1);
    expect(gridSize({ [STEP]: { b: [] } })).toBe(0);
    expect(gridSize({ [STEP]: { b: 3 } })).toBeNull();
  });
});

describe('problems', () => {
  it('parses JSON pointers with escapes', () => {
    expect(parsePointer('')).toEqual([]);
    expect(parsePointer('/pipeline_parameters/x')).toEqual(['pipeline_parameters', 'x']);
    expect(parsePointer('/a~1b/c~0d')).toEqual(['a/b', 'c~d']);
  });

  it('sorts the server errors by parameter, by step, or above the grid', () => {
    const problems = sortProblems('"parameters": first (and 2 more problems)', [
      { pointer: '/pipeline_parameters/unit', message: 'must be a list' },
      { pointer: `/${STEP}/days`, message: 'empty list' },
      { pointer: '/nope', message: 'no such step' }
    ]);
    expect(problems.byParameter.get(parameterKey('pipeline_parameters', 'unit'))).toEqual(['must be a list']);
    expect(problems.byParameter.get(parameterKey(STEP, 'days'))).toEqual(['empty list']);
    expect(problems.byOwner.get('nope')).toEqual(['no such step']);
    expect(problems.general).toEqual([]);
  });

  it('shows the message above the grid when the errors point nowhere', () => {
    expect(sortProblems('The grid makes 2000 runs, more than the limit', []).general).toEqual([
      'The grid makes 2000 runs, more than the limit'
    ]);
  });
});

describe('combinations in words', () => {
  it('name the parameters, with the step where a name is ambiguous', () => {
    const titles = ownerTitles({ steps: { [STEP]: { title: 'Make data' } } }, 'Weather');
    expect(titles.get('pipeline_parameters')).toBe('Weather');
    expect(describeParameters({ pipeline_parameters: { unit: 'celsius' }, [STEP]: { days: 7 } }, titles)).toBe(
      'unit="celsius", days=7'
    );
    expect(describeParameters({ pipeline_parameters: { n: 1 }, [STEP]: { n: 2 } }, titles)).toBe(
      'Weather.n=1, Make data.n=2'
    );
  });
});
