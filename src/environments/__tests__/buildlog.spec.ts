/**
 * The build log: the log read through the API joined with live lines.
 */
import { IBuild } from '../../api';
import { IBuildEvent } from '../../events';
import { BuildLogModel, joinLog } from '../buildlog';

function build(status: IBuild['status'], uuid = 'b1'): IBuild {
  return { uuid, environment_uuid: 'e1', image: 'img', status };
}

function line(text: string, buildUuid = 'b1'): IBuildEvent {
  return {
    type: 'build',
    seq: 0,
    build_uuid: buildUuid,
    environment_uuid: 'e1',
    project_dir: '/root/p',
    status: 'BUILDING',
    line: text
  };
}

describe('joinLog', () => {
  it('keeps the text when nothing arrived live', () => {
    expect(joinLog('a\nb\n', [])).toEqual(['a', 'b']);
    expect(joinLog('a\nb', [])).toEqual(['a', 'b']);
    expect(joinLog('', [])).toEqual([]);
  });

  it('does not repeat the live lines the text already holds', () => {
    expect(joinLog('a\nb\nc\n', ['b', 'c', 'd'])).toEqual(['a', 'b', 'c', 'd']);
    expect(joinLog('a\nb\n', ['c'])).toEqual(['a', 'b', 'c']);
    expect(joinLog('a\nb\n', ['a', 'b'])).toEqual(['a', 'b']);
    expect(joinLog('', ['a'])).toEqual(['a']);
  });

  it('drops an unfinished last line that arrives complete', () => {
    expect(joinLog('a\nhal', ['half'])).toEqual(['a', 'half']);
  });
});

describe('BuildLogModel', () => {
  it('holds live lines while the log is read, then joins them', () => {
    const model = new BuildLogModel('e1');
    let changes = 0;
    model.changed.connect(() => changes++);
    model.startLoading();
    model.apply(line('two'));
    model.apply(line('three'));
    expect(model.lines).toEqual([]);
    model.loaded(build('BUILDING'), 'one\ntwo\n');
    expect(model.lines).toEqual(['one', 'two', 'three']);
    expect(model.build?.status).toBe('BUILDING');
    model.apply({ ...line('four'), line: undefined, status: 'SUCCESS', build: build('SUCCESS') });
    expect(model.build?.status).toBe('SUCCESS');
    expect(changes).toBe(4);
  });

  it('keeps a later status that arrived live while the log was read', () => {
    const model = new BuildLogModel('e1');
    model.startLoading();
    model.apply({ ...line('done'), status: 'SUCCESS', build: build('SUCCESS') });
    model.loaded(build('BUILDING'), 'done\n');
    expect(model.build?.status).toBe('SUCCESS');
    expect(model.lines).toEqual(['done']);
  });

  it('ignores other environments, starts over with a new build', () => {
    const model = new BuildLogModel('e1');
    model.startLoading();
    model.loaded(build('FAILURE'), 'old\n');
    expect(model.apply({ ...line('x'), environment_uuid: 'e2' })).toBe(false);
    expect(model.lines).toEqual(['old']);
    model.apply({ ...line('new', 'b2'), line: undefined, status: 'PENDING', build: build('PENDING', 'b2') });
    model.apply(line('new', 'b2'));
    expect(model.build?.uuid).toBe('b2');
    expect(model.lines).toEqual(['new']);
  });

  it('keeps a build that started while the previous one was read', () => {
    const model = new BuildLogModel('e1');
    model.startLoading();
    model.apply(line('fresh', 'b2'));
    model.loaded(build('SUCCESS', 'b1'), 'previous build\n');
    expect(model.build?.uuid).toBe('b2');
    expect(model.lines).toEqual(['fresh']);
  });

  it('shows a started build at once, without going back in status', () => {
    const model = new BuildLogModel('e1');
    model.loaded(null, '');
    expect(model.build).toBeNull();
    model.apply({ ...line('x', 'b3'), status: 'BUILDING', build: build('BUILDING', 'b3') });
    model.started(build('PENDING', 'b3'));
    expect(model.build?.status).toBe('BUILDING');
    expect(model.lines).toEqual(['x']);
    model.started(build('PENDING', 'b4'));
    expect(model.build?.uuid).toBe('b4');
    expect(model.lines).toEqual([]);
  });
});
