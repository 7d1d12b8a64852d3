import * as fs from 'fs';
import * as path from 'path';

import { isObject, JSONObject, PyFloat } from '../json';
import { CLIPBOARD_KIND, IModelChange, PipelineFormatError, PipelineModel } from '../pipeline';
import { isUuid, NIL_UUID } from '../uuid';

const EXAMPLE = path.join(__dirname, '..', '..', '..', 'examples', 'quickstart.orchest');
const FIXTURES = path.join(__dirname, 'fixtures');
const MAKE = '1b5c6d2e-3f4a-4b6c-8d7e-9f0a1b2c3d4e';
const TRANSFORM = '2c6d7e3f-4a5b-4c7d-9e8f-0a1b2c3d4e5f';
const REPORT = '3d7e8f4a-5b6c-4d8e-af90-1b2c3d4e5f60';
const ENV = '8c5ff0a9-6a39-4d1c-9a36-0a4b6f1f3c11';
const R_ENV = '11111111-2222-4333-8444-555555555555';
const R_ENV_INFO = { uuid: R_ENV, name: 'R 4', language: 'r' };
const JS_ENV_INFO = { uuid: '66666666-7777-4888-9999-000000000000', name: 'Deno', language: 'javascript' };

const exampleText = fs.readFileSync(EXAMPLE, 'utf-8');

function example(): PipelineModel {
  return PipelineModel.fromText(exampleText);
}

function stepsOf(model: PipelineModel): JSONObject {
  return model.document.steps as JSONObject;
}

describe('reading and writing', () => {
  it('reads the example', () => {
    const model = example();
    expect(model.name).toBe('Weather quickstart');
    expect(model.steps.map(s => s.title)).toEqual(['Make data', 'Transform', 'Report']);
    const transform = model.step(TRANSFORM)!;
    expect(transform.filePath).toBe('transform.ipynb');
    expect(transform.incoming).toEqual([MAKE]);
    expect(transform.position).toEqual([400, 200]);
    expect(model.step(MAKE)!.parameters).toEqual({ days: 30, seed: 42 });
  });

  it.each(['quickstart', 'unknown-fields-ascii.orchest', 'unknown-fields-unicode.orchest'])(
    'writes %s back byte for byte',
    name => {
      const text =
        name === 'quickstart' ? exampleText : fs.readFileSync(path.join(FIXTURES, name), 'utf-8');
      const model = PipelineModel.fromText(text);
      expect(model.toText()).toBe(text);
    }
  );

  it('keeps unknown fields and non-ASCII text through edits and undo', () => {
    const text = fs.readFileSync(path.join(FIXTURES, 'unknown-fields-unicode.orchest'), 'utf-8');
    const model = PipelineModel.fromText(text);
    const [step] = model.steps;
    model.moveSteps(new Map([[step.uuid, [10, 20]]]));
    model.updateStep(step.uuid, { title: 'Étape' });
    const saved = model.toText();
    expect(saved).toContain('"title": "Étape"');
    expect(saved).toContain('"x_unknown_step_field"');
    expect(saved).toContain('"x_unknown_top"');
    expect(saved).toContain('"x_color": "#fff"');
    model.undo();
    model.undo();
    expect(model.toText()).toBe(text);
  });

  it('escapes new non-ASCII text in an ASCII file, as the server would', () => {
    const model = example();
    model.updateStep(MAKE, { title: 'Données' });
    expect(model.toText()).toContain('"title": "Donn\\u00e9es"');
  });

  it('refuses what it cannot edit', () => {
    expect(() => PipelineModel.fromText('{"steps": ')).toThrow(PipelineFormatError);
    expect(() => PipelineModel.fromText('[]')).toThrow('must be a JSON object');
    expect(() => PipelineModel.fromText('{"steps": []}')).toThrow('"steps" must be an object');
    expect(() => PipelineModel.fromText('{"steps": {"a": 1}}')).toThrow('Step "a"');
  });

  it('loads new text and forgets the history', () => {
    const model = example();
    const changes: IModelChange[] = [];
    model.changed.connect(c => changes.push(c));
    model.addStep({ title: 'x' });
    model.load(exampleText.replace('Weather quickstart', 'Renamed'));
    expect(model.name).toBe('Renamed');
    expect(model.canUndo).toBe(false);
    expect(changes.map(c => c.source)).toEqual(['edit', 'load']);
    expect(() => model.load('nope')).toThrow(PipelineFormatError);
    expect(model.name).toBe('Renamed');
  });
});

describe('steps', () => {
  it('adds a step with Orchest defaults', () => {
    const model = example();
    const uuid = model.addStep({ title: 'Plot', filePath: 'plot.ipynb', position: [120.4, 300.6] });
    expect(isUuid(uuid)).toBe(true);
    expect(uuid[14]).toBe('4');
    expect(stepsOf(model)[uuid]).toEqual({
      environment: ENV,
      file_path: 'plot.ipynb',
      incoming_connections: [],
      kernel: { display_name: 'Python 3', name: 'python' },
      meta_data: { hidden: false, position: [120, 301] },
      parameters: {},
      title: 'Plot',
      uuid
    });
  });

  it('chooses the environment of new steps', () => {
    const empty = PipelineModel.fromText('{"steps": {}}');
    expect(empty.defaultEnvironment()).toBe(NIL_UUID);
    empty.projectEnvironments = [{ uuid: R_ENV, name: 'R 4', language: 'r' }];
    expect(empty.defaultEnvironment()).toBe(R_ENV);
    expect(example().defaultEnvironment()).toBe(ENV);
  });

  it("gives new steps their environment's language as kernel, as Orchest does", () => {
    const model = PipelineModel.fromText('{"steps": {}}', { projectEnvironments: [R_ENV_INFO, JS_ENV_INFO] });
    const kernelOf = (uuid: string) => (stepsOf(model)[uuid] as JSONObject).kernel;
    expect(kernelOf(model.addStep())).toEqual({ name: 'r', display_name: 'R 4' });
    expect(kernelOf(model.addStep({ environment: JS_ENV_INFO.uuid }))).toEqual({ name: 'javascript', display_name: 'Deno' });
    // An environment the model does not know: Orchest's default.
    expect(kernelOf(model.addStep({ environment: ENV }))).toEqual({ name: 'python', display_name: 'Python 3' });
    const own = { name: 'julia', display_name: 'Julia 1.9' };
    expect(kernelOf(model.addStep({ kernel: own }))).toEqual(own);
  });

  it("changes a step's kernel with its environment, in one undoable edit", () => {
    const model = example();
    model.projectEnvironments = [{ uuid: ENV, name: 'Python 3', language: 'python' }, R_ENV_INFO];
    model.setStepEnvironment(TRANSFORM, R_ENV);
    const step = stepsOf(model)[TRANSFORM] as JSONObject;
    expect(step.environment).toBe(R_ENV);
    expect(step.kernel).toEqual({ name: 'r', display_name: 'R 4' });
    expect(model.undoLabel).toBe('Change environment');
    model.undo();
    expect(model.toText()).toBe(exampleText);
    // Unknown to the model: the environment changes, the kernel stays.
    model.setStepEnvironment(TRANSFORM, JS_ENV_INFO.uuid);
    expect((stepsOf(model)[TRANSFORM] as JSONObject).kernel).toEqual({ name: 'python', display_name: 'Python 3' });
  });

  it('removes steps and their connections', () => {
    const model = example();
    model.removeSteps([TRANSFORM]);
    expect(model.steps.map(s => s.uuid)).toEqual([MAKE, REPORT]);
    expect(model.step(REPORT)!.incoming).toEqual([]);
    expect(model.undoLabel).toBe('Delete step');
    model.undo();
    expect(model.toText()).toBe(exampleText);
  });

  it('duplicates steps with their inner connections', () => {
    const model = example();
    const [t, r] = model.duplicateSteps([TRANSFORM, REPORT]);
    expect(model.steps).toHaveLength(5);
    expect(model.step(t)!.title).toBe('Transform (copy)');
    expect(model.step(t)!.incoming).toEqual([MAKE]);
    expect(model.step(r)!.incoming).toEqual([t]);
    expect(model.step(r)!.position).toEqual([740, 240]);
    expect(model.step(r)!.parameters).toEqual({ hottest: 3 });
    // The originals do not change.
    expect(model.step(REPORT)!.incoming).toEqual([TRANSFORM]);
  });

  it('moves steps in one history entry', () => {
    const model = example();
    model.moveSteps(
      new Map<string, [number, number]>([
        [MAKE, [0, 0]],
        [REPORT, [900.7, 10]]
      ])
    );
    expect(model.step(REPORT)!.position).toEqual([901, 10]);
    expect(model.undoLabel).toBe('Move');
    model.undo();
    expect(model.toText()).toBe(exampleText);
    // Not moving is no edit.
    model.moveSteps(new Map([[MAKE, [100, 200]]]));
    expect(model.canUndo).toBe(false);
  });

  it('keeps float positions that are not moved', () => {
    const model = PipelineModel.fromText(
      '{"steps": {"a": {"meta_data": {"position": [1.0, 2.5]}}, "b": {}}}'
    );
    expect(model.step('a')!.position).toEqual([1, 2.5]);
    model.moveSteps(new Map([['b', [5, 5]]]));
    const meta = (stepsOf(model).a as JSONObject).meta_data as JSONObject;
    expect((meta.position as unknown[])[0]).toBeInstanceOf(PyFloat);
    expect(model.toText()).toContain('1.0,');
  });

  it('updates step and pipeline fields', () => {
    const model = example();
    model.updateStep(MAKE, { title: 'Make', parameters: { days: 7 }, uuid: 'nope', extra: undefined });
    expect(model.step(MAKE)!.title).toBe('Make');
    expect(model.step(MAKE)!.parameters).toEqual({ days: 7 });
    expect(model.step(MAKE)!.uuid).toBe(MAKE);
    model.updatePipeline({ name: 'New name', parameters: undefined, steps: {} });
    expect(model.name).toBe('New name');
    expect('parameters' in model.document).toBe(false);
    expect(model.steps).toHaveLength(3);
  });
});

describe('connections', () => {
  it('connects and disconnects', () => {
    const model = example();
    expect(model.connect(MAKE, REPORT)).toEqual({ ok: true });
    expect(model.step(REPORT)!.incoming).toEqual([TRANSFORM, MAKE]);
    expect(model.disconnect(MAKE, REPORT)).toBe(true);
    expect(model.disconnect(MAKE, REPORT)).toBe(false);
    expect(model.toText()).toBe(exampleText);
  });

  it('refuses a cycle, naming its steps in data-flow order', () => {
    const model = example();
    const result = model.connect(REPORT, MAKE);
    expect(result).toEqual({
      ok: false,
      reason: 'cycle',
      steps: ['Report', 'Make data', 'Report', 'Make data', 'Transform', 'Report'],
      message:
        'Connecting "Report" to "Make data" would make a cycle: "Report" → "Make data" → "Transform" → "Report".'
    });
    expect(model.canUndo).toBe(false);
    expect(model.toText()).toBe(exampleText);
  });

  it('refuses self, duplicate and missing connections', () => {
    const model = example();
    expect(model.connect(MAKE, MAKE)).toMatchObject({
      ok: false,
      reason: 'self',
      message: 'A step cannot be connected to itself ("Make data").'
    });
    expect(model.connect(MAKE, TRANSFORM)).toMatchObject({
      ok: false,
      reason: 'duplicate',
      message: '"Make data" is already connected to "Transform".'
    });
    expect(model.connect(MAKE, 'missing')).toMatchObject({
      ok: false,
      reason: 'missing',
      message: 'There is no step "missing".'
    });
  });

  it('removes several connections at once', () => {
    const model = example();
    expect(
      model.disconnectMany([
        [MAKE, TRANSFORM],
        [TRANSFORM, REPORT],
        [REPORT, MAKE]
      ])
    ).toBe(true);
    expect(model.steps.every(s => s.incoming.length === 0)).toBe(true);
    expect(model.undoLabel).toBe('Remove connections');
  });
});

describe('undo and redo', () => {
  it('walks the command stack', () => {
    const model = example();
    const a = model.addStep({ title: 'A' });
    model.connect(REPORT, a);
    expect(model.undoLabel).toBe('Connect');
    model.undo();
    expect(model.step(a)!.incoming).toEqual([]);
    expect(model.redoLabel).toBe('Connect');
    model.undo();
    expect(model.has(a)).toBe(false);
    expect(model.toText()).toBe(exampleText);
    expect(model.undo()).toBe(false);
    model.redo();
    model.redo();
    expect(model.step(a)!.incoming).toEqual([REPORT]);
    expect(model.redo()).toBe(false);
  });

  it('drops the redo stack on a new edit', () => {
    const model = example();
    model.addStep();
    model.undo();
    model.addStep();
    expect(model.canRedo).toBe(false);
  });

  it('remembers a bounded history', () => {
    const model = new PipelineModel({ steps: {} }, { historyLimit: 3 });
    for (let i = 0; i < 5; i++) {
      model.addStep();
    }
    let undone = 0;
    while (model.undo()) {
      undone++;
    }
    expect(undone).toBe(3);
    expect(model.steps).toHaveLength(2);
  });

  it('never mutates a document it handed out', () => {
    const model = example();
    const before = model.document;
    const text = model.toText();
    model.addStep();
    model.updateStep(MAKE, { title: 'x' });
    model.removeSteps([TRANSFORM]);
    expect(model.document).not.toBe(before);
    const copy = new PipelineModel(before);
    expect(copy.toText()).toBe(text);
  });
});

describe('copy and paste', () => {
  it('pastes copies with new uuids, keeping connections', () => {
    const model = example();
    const text = model.copy([TRANSFORM, REPORT]);
    expect(JSON.parse(text).kind).toBe(CLIPBOARD_KIND);
    const [t, r] = model.paste(text)!;
    expect(model.steps).toHaveLength(5);
    expect(model.step(t)!.title).toBe('Transform');
    expect(model.step(t)!.incoming).toEqual([MAKE]);
    expect(model.step(r)!.incoming).toEqual([t]);
  });

  it('drops connections to steps of another pipeline', () => {
    const text = example().copy([TRANSFORM]);
    const other = new PipelineModel({ steps: {} });
    const [t] = other.paste(text, [0, 0])!;
    expect(other.step(t)!.incoming).toEqual([]);
    expect(other.step(t)!.position).toEqual([400, 200]);
    const raw = other.step(t)!.raw;
    expect(isObject(raw.kernel)).toBe(true);
  });

  it('ignores clipboard text that holds no steps', () => {
    const model = example();
    expect(model.paste('hello')).toBeNull();
    expect(model.paste('{"kind": "other"}')).toBeNull();
    expect(model.canUndo).toBe(false);
  });
});
