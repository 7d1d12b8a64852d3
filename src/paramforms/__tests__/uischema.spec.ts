import { propertySchema, scopeProperty, uiSchemaOf } from '../uischema';
import { schemaPath } from '../schemas';

describe('JSON Forms UI schemas as react-jsonschema-form UI schemas', () => {
  it('keeps the controls’ order through layouts, then the other fields', () => {
    const ui = uiSchemaOf({
      type: 'VerticalLayout',
      elements: [
        { type: 'Control', scope: '#/properties/b' },
        { type: 'HorizontalLayout', elements: [{ type: 'Control', scope: '#/properties/a', label: 'The A' }] },
        { type: 'Group', label: 'More', elements: [{ type: 'Control', scope: '#/properties/c', options: { multi: true } }] }
      ]
    });
    expect(ui).toEqual({
      'ui:order': ['b', 'a', 'c', '*'],
      a: { 'ui:title': 'The A' },
      c: { 'ui:widget': 'textarea' }
    });
  });

  it('maps radio, slider, read-only, no label and an unconditional HIDE rule', () => {
    const control = (name: string, extra: object): object => ({ type: 'Control', scope: `#/properties/${name}`, ...extra });
    const ui = uiSchemaOf({
      type: 'VerticalLayout',
      elements: [
        control('r', { options: { format: 'radio' } }),
        control('s', { options: { slider: true } }),
        control('o', { options: { readonly: true }, label: false }),
        control('h', { rule: { effect: 'HIDE', condition: {} } }),
        control('x', { rule: { effect: 'HIDE', condition: { scope: '#/properties/r', schema: { const: 1 } } } })
      ]
    });
    expect(ui.r).toEqual({ 'ui:widget': 'radio' });
    expect(ui.s).toEqual({ 'ui:widget': 'range' });
    expect(ui.o).toEqual({ 'ui:readonly': true, 'ui:options': { label: false } });
    expect(ui.h).toEqual({ 'ui:widget': 'hidden' });
    expect(ui.x).toBeUndefined(); // conditional rules are not mapped
  });

  it('gives nothing for a missing or odd UI schema', () => {
    expect(uiSchemaOf(undefined)).toEqual({});
    expect(uiSchemaOf([1, 2])).toEqual({});
    expect(scopeProperty('#/properties/a~1b')).toBe('a/b');
    expect(scopeProperty('#/definitions/a')).toBeNull();
  });

  it('cuts one parameter’s schema out of the parameters object’s, with its definitions', () => {
    const schema = { $defs: { n: { type: 'integer' } }, properties: { a: { $ref: '#/$defs/n' } } };
    expect(propertySchema(schema, 'a')).toEqual({ $defs: { n: { type: 'integer' } }, $ref: '#/$defs/n' });
    expect(propertySchema(schema, 'b')).toBeNull();
    expect(propertySchema(null, 'a')).toBeNull();
  });

  it('finds the schema files where Orchest puts them', () => {
    expect(schemaPath('proj/p.orchest', 'steps/a.py')).toBe('proj/steps/a.py.schema.json');
    expect(schemaPath('proj/p.orchest', null)).toBe('proj/p.orchest.schema.json');
    expect(schemaPath('p.orchest', 'a.ipynb')).toBe('a.ipynb.schema.json');
  });
});
