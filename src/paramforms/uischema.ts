/**
 * Parameter forms as Orchest defines them: a JSON Schema of a parameters
 * object (`<step file>.schema.json`, `<pipeline file>.schema.json`) and an
 * optional JSON Forms UI schema (`.uischema.json`). JupyterLab's form
 * component is react-jsonschema-form, whose UI schema is keyed by property:
 * this maps what JSON Forms says that it can say (order, labels, multi-line
 * text, radio buttons, sliders, read-only, hidden). Pure.
 */

/** A JSON object as read from a schema file. */
type JSONish = { [key: string]: unknown };

/** A react-jsonschema-form UI schema. */
export type UiSchema = { [key: string]: unknown };

function isObject(value: unknown): value is JSONish {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The property a JSON Forms control's scope names (`#/properties/epochs`), or null. */
export function scopeProperty(scope: unknown): string | null {
  if (typeof scope !== 'string') {
    return null;
  }
  const match = /^#\/properties\/([^/]+)$/.exec(scope);
  return match ? decodeURIComponent(match[1].replace(/~1/g, '/').replace(/~0/g, '~')) : null;
}

/** The controls of a JSON Forms UI schema, in order, through its layouts. */
function controls(element: unknown, found: JSONish[] = []): JSONish[] {
  if (!isObject(element)) {
    return found;
  }
  if (element.type === 'Control') {
    found.push(element);
  }
  if (Array.isArray(element.elements)) {
    element.elements.forEach(child => controls(child, found));
  }
  return found;
}

/** One control's options as react-jsonschema-form's. */
function controlUi(control: JSONish): UiSchema {
  const ui: UiSchema = {};
  const options = isObject(control.options) ? control.options : {};
  if (typeof control.label === 'string') {
    ui['ui:title'] = control.label;
  } else if (control.label === false) {
    ui['ui:options'] = { label: false };
  }
  if (options.multi === true) {
    ui['ui:widget'] = 'textarea';
  } else if (options.format === 'radio') {
    ui['ui:widget'] = 'radio';
  } else if (options.slider === true) {
    ui['ui:widget'] = 'range';
  }
  if (options.readonly === true || options.readOnly === true) {
    ui['ui:readonly'] = true;
  }
  const rule = isObject(control.rule) ? control.rule : null;
  if (rule && rule.effect === 'HIDE' && isObject(rule.condition) && Object.keys(rule.condition).length === 0) {
    ui['ui:widget'] = 'hidden'; // always hidden (a condition-less rule); conditional rules are not mapped
  }
  return ui;
}

/**
 * The react-jsonschema-form UI schema of a JSON Forms UI schema (null or
 * not an object: none). Controls give the order of the fields (the others
 * follow) and their options; layouts, groups, categories and conditional
 * rules are flattened away.
 */
export function uiSchemaOf(jsonForms: unknown): UiSchema {
  const ui: UiSchema = {};
  const order: string[] = [];
  for (const control of controls(jsonForms)) {
    const name = scopeProperty(control.scope);
    if (name === null || order.includes(name)) {
      continue;
    }
    order.push(name);
    const options = controlUi(control);
    if (Object.keys(options).length) {
      ui[name] = options;
    }
  }
  if (order.length) {
    ui['ui:order'] = [...order, '*'];
  }
  return ui;
}

/**
 * The schema of one parameter within a parameters object's schema (for the
 * job grid's values), or null when the schema does not describe it.
 */
export function propertySchema(schema: unknown, name: string): JSONish | null {
  if (!isObject(schema) || !isObject(schema.properties)) {
    return null;
  }
  const property = schema.properties[name];
  if (!isObject(property)) {
    return null;
  }
  // Definitions the property refers to come along.
  const extra: JSONish = {};
  for (const key of ['$defs', 'definitions']) {
    if (isObject(schema[key])) {
      extra[key] = schema[key];
    }
  }
  return { ...extra, ...property };
}
