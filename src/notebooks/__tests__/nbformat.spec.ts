import { rejoinLines } from '../nbformat';

describe('rejoinLines', () => {
  it('joins multi-line text as nbformat rejoin_lines does', () => {
    const file = {
      nbformat: 4,
      nbformat_minor: 5,
      metadata: { kernelspec: { name: 'python3' } },
      cells: [
        {
          cell_type: 'code',
          source: ['print(30)\n', "print('celsius')"],
          metadata: {},
          execution_count: 1,
          outputs: [
            { output_type: 'stream', name: 'stdout', text: ['30\n', 'celsius\n'] },
            {
              output_type: 'execute_result',
              execution_count: 1,
              metadata: {},
              data: {
                'text/plain': ['a\n', 'b'],
                'text/html': ['<b>a</b>\n', '<i>b</i>'],
                'application/json': ['kept', 'as a list'],
                'application/vnd.custom+json': { lines: ['x', 'y'] }
              }
            },
            { output_type: 'error', ename: 'E', evalue: 'v', traceback: ['line 1', 'line 2'] }
          ]
        },
        {
          cell_type: 'markdown',
          source: ['# Title\n', 'text'],
          metadata: {},
          attachments: { 'a.png': { 'image/png': ['iVBOR', 'w0KG'] } }
        },
        { cell_type: 'raw', source: 'already joined', metadata: {} }
      ]
    };
    const copy = JSON.parse(JSON.stringify(file));
    const read = rejoinLines(file) as any;
    expect(file).toEqual(copy); // the argument is not changed
    expect(read.metadata).toEqual(file.metadata);
    expect(read.cells[0].source).toBe("print(30)\nprint('celsius')");
    expect(read.cells[0].outputs[0].text).toBe('30\ncelsius\n');
    expect(read.cells[0].outputs[1].data).toEqual({
      'text/plain': 'a\nb',
      'text/html': '<b>a</b>\n<i>b</i>',
      'application/json': ['kept', 'as a list'],
      'application/vnd.custom+json': { lines: ['x', 'y'] }
    });
    // A traceback is a list of lines in the format itself.
    expect(read.cells[0].outputs[2].traceback).toEqual(['line 1', 'line 2']);
    expect(read.cells[1].source).toBe('# Title\ntext');
    expect(read.cells[1].attachments['a.png']['image/png']).toBe('iVBORw0KG');
    expect(read.cells[2].source).toBe('already joined');
  });

  it('leaves what is not a notebook alone', () => {
    expect(rejoinLines(null)).toBeNull();
    expect(rejoinLines({ cells: 'no' })).toEqual({ cells: 'no' });
  });
});
