// Checks openapi.yaml (at the root of the repository) against a running
// authsim: every example in the spec is sent, and the answer must be the one
// the spec pairs with it.
//
//   node tests/node/openapi.test.mjs http://127.0.0.1:8080
//   AUTHSIM_URL=http://127.0.0.1:8080 node tests/node/openapi.test.mjs
//
// The base URL is the last argument that starts with http:// or https://
// (the CTest runner appends it), else AUTHSIM_URL. Run `npm ci` in
// tests/node first: the only dependency is the `yaml` package.
//
// What is checked, in this order:
//   1. The spec is well-formed: OpenAPI 3.0 structure, every $ref resolves,
//      every operation has responses and a unique operationId, path templates
//      and path parameters agree, schemas use only the keywords the validator
//      below understands, the example conventions (see the comment at the top
//      of openapi.yaml) hold, every response example validates against its
//      own schema, and the requests meant to be accepted (the x-authsim-base
//      case, or the 2xx cases of an operation without one) validate against
//      the request schemas.
//   2. The routes: every path of the spec is served with exactly the spec's
//      methods (an OPTIONS request, which no route accepts, gets 405 and an
//      Allow header listing the methods the server has for that path), and
//      the spec lists exactly the routes the server registers. The server has
//      no admin call that lists its routes, so SERVER_ROUTES below is that
//      list, read from the sources; GET /__admin/health must report no stub
//      file (the default fixtures have none), so that a new one is noticed.
//   3. The examples: for every operation and every case (a named response
//      example), the request is built from the request examples of the same
//      name, sent, and the answer must have the response's status, the media
//      type's Content-Type, a body valid against the response schema, and the
//      values named by x-authsim-equal. Cases run in document order.
//
// Environment:
//   AUTHSIM_URL              base URL when no argument gives one
//   AUTHSIM_ADMIN_TOKEN      sent as a Bearer token on /__admin calls (the
//                            server reads the same variable)
//   AUTHSIM_OPENAPI_SKIP     comma-separated spec paths whose operations and
//                            route checks are skipped, for running against a
//                            binary that predates them, e.g.
//                            AUTHSIM_OPENAPI_SKIP=/dg/oauth
//   AUTHSIM_OPENAPI_VERBOSE  1: print every request and answer
//
// Exit status: 0 when everything passed, non-zero otherwise.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { isDeepStrictEqual } from 'node:util';

let YAML;
try {
  YAML = await import('yaml');
} catch (error) {
  const where = new URL('.', import.meta.url).pathname;
  console.error(`openapi.test.mjs: cannot load the 'yaml' package (${error.code ?? error.message}).`);
  console.error(`Its node_modules folder is missing: run \`npm ci\` in ${where} first.`);
  process.exit(1);
}

const baseUrl = process.argv.slice(2).findLast((a) => /^https?:\/\//.test(a)) ?? process.env.AUTHSIM_URL;
if (!baseUrl) {
  console.error('usage: node openapi.test.mjs BASE_URL   (or set AUTHSIM_URL)');
  process.exit(2);
}
const base = baseUrl.replace(/\/+$/, '');
const adminToken = process.env.AUTHSIM_ADMIN_TOKEN ?? '';
const skipped = new Set(
  (process.env.AUTHSIM_OPENAPI_SKIP ?? '').split(',').map((s) => s.trim()).filter(Boolean),
);
const verbose = process.env.AUTHSIM_OPENAPI_VERBOSE === '1';

const specUrl = new URL('../../openapi.yaml', import.meta.url);
const spec = YAML.parse(await readFile(specUrl, 'utf8'));

// The routes authsim registers, from server/creditpay/api.cpp,
// server/uocs/api.cpp (login, the waybill calls of both revisions and the
// tracking page), server/admin/admin_api.cpp, server/admin/payments_api.cpp,
// server/admin/deliveries_api.cpp, server/admin/waybills_api.cpp and
// server/admin/scenarios_api.cpp. The verification route is a prefix route in
// the server; it is written here as the template the spec uses. Keep this
// list in step with those files. Stub files add routes the spec does not
// describe; the default fixtures have none, which GET /__admin/health
// confirms, so that a stub added to them is noticed.
const SERVER_ROUTES = [
  'POST /dg/v1/platform/identify/auth',
  'POST /dg/v1/identify/redirect',
  'POST /dg/v1/cashier/fetch_data',
  'GET /dg/oauth',
  'POST /apis-auth/login/auth',
  'POST /uocs-tes/waybill/api/carrierWaybill',
  'POST /uocs-tes/waybill/api/createWaybill',
  'POST /uocs-tes/waybill/api/selectOrderDetails',
  'POST /uocs-tes/waybill/api/orderH5View',
  'POST /uocs-ces/openApi/carrierWaybill',
  'POST /uocs-ces/openApi/createWaybill',
  'POST /uocs-ces/openApi/selectWaybillDetails',
  'POST /uocs-ces/openApi/selectWaybillH5View',
  'POST /uocs-ces/openApi/cancelWaybill',
  'GET /uocs-h5/waybill/{fy_code}',
  'GET /__admin/health',
  'POST /__admin/reset',
  'GET /__admin/state',
  'GET /__admin/requests',
  'DELETE /__admin/requests',
  'GET /__admin/requests/wait',
  'GET /__admin/changes',
  'GET /__admin/platforms',
  'GET /__admin/ui',
  'GET /__admin/clock',
  'PUT /__admin/clock',
  'GET /__admin/metrics',
  'GET /__admin/platforms/{platId}/verification',
  'PUT /__admin/platforms/{platId}/verification',
  'GET /__admin/platforms/{platId}/endpoints',
  'PUT /__admin/platforms/{platId}/endpoints',
  'POST /__admin/payments',
  'GET /__admin/payments',
  'GET /__admin/payments/{payment_id}',
  'POST /__admin/payments/{payment_id}/refund',
  'GET /__admin/webhooks',
  'GET /__admin/webhooks/wait',
  'POST /__admin/webhooks/{event_id}/redeliver',
  'GET /__admin/waybills',
  'GET /__admin/waybills/{fy_code}',
  'POST /__admin/waybills/{fy_code}/advance',
  'GET /__admin/apps/{app_key}/endpoints',
  'PUT /__admin/apps/{app_key}/endpoints',
  'GET /__admin/scenarios',
  'PUT /__admin/scenario',
  'POST /__admin/scenarios/reload',
];
// Stubbed routes beyond those above: none in the default fixtures.
const STUB_ROUTES = 0;

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const EXTENSIONS = {
  operation: ['x-authsim-base'],
  requestExample: ['x-authsim-omit', 'x-authsim-uses'],
  responseExample: ['x-authsim-equal'],
};

// ---------------------------------------------------------------------------
// Small helpers: local $refs, JSON pointers, media types.

function pointerTokens(pointer) {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new Error(`not a JSON pointer: '${pointer}'`);
  return pointer.slice(1).split('/').map((t) => t.replaceAll('~1', '/').replaceAll('~0', '~'));
}

function pointerGet(value, pointer) {
  let v = value;
  for (const token of pointerTokens(pointer)) {
    if (v === null || typeof v !== 'object' || !Object.hasOwn(v, token)) return undefined;
    v = v[token];
  }
  return v;
}

function pointerSet(value, pointer, replacement) {
  const tokens = pointerTokens(pointer);
  if (tokens.length === 0) return replacement;
  let v = value;
  for (const token of tokens.slice(0, -1)) {
    if (v === null || typeof v !== 'object' || !Object.hasOwn(v, token)) {
      throw new Error(`JSON pointer '${pointer}' does not exist in the example value`);
    }
    v = v[token];
  }
  v[tokens.at(-1)] = replacement;
  return value;
}

function refTarget(ref) {
  if (typeof ref !== 'string' || !ref.startsWith('#')) return undefined;
  return pointerGet(spec, decodeURIComponent(ref.slice(1)));
}

// Follows $ref chains; throws on a dangling one (the lint reports those first).
function deref(node) {
  const seen = new Set();
  while (node && typeof node === 'object' && typeof node.$ref === 'string') {
    if (seen.has(node.$ref)) throw new Error(`$ref cycle at ${node.$ref}`);
    seen.add(node.$ref);
    const target = refTarget(node.$ref);
    if (target === undefined) throw new Error(`$ref does not resolve: ${node.$ref}`);
    node = target;
  }
  return node;
}

const essence = (contentType) => (contentType ?? '').split(';')[0].trim().toLowerCase();
const isJsonMedia = (mediaType) => /^application\/([\w.+-]+\+)?json$/.test(essence(mediaType));
const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const excerpt = (text, n = 600) => (text.length > n ? `${text.slice(0, n)}…` : text);

// ---------------------------------------------------------------------------
// The schema validator: the subset of OpenAPI 3.0 schemas the spec uses.
// Keywords: $ref, type, nullable, enum, pattern, minLength, maxLength,
// minimum, maximum, minItems, maxItems, required, properties, additionalProperties, items,
// oneOf, anyOf. Annotations (description, title, example, format, default,
// readOnly, writeOnly, deprecated) are ignored. Any other keyword is a lint
// error, so the spec cannot lean on a rule nobody checks.
// As in OpenAPI 3.0.3, a schema with a `type` accepts null only with
// `nullable: true` (and, with an enum, only if the enum lists null); a schema
// without `type` accepts any JSON value, null included.

const SCHEMA_KEYWORDS = new Set([
  '$ref', 'type', 'nullable', 'enum', 'pattern', 'minLength', 'maxLength', 'minimum', 'maximum',
  'minItems', 'maxItems',
  'required', 'properties', 'additionalProperties', 'items', 'oneOf', 'anyOf',
]);
const SCHEMA_ANNOTATIONS = new Set([
  'description', 'title', 'example', 'format', 'default', 'readOnly', 'writeOnly', 'deprecated',
]);

function typeOk(type, v) {
  switch (type) {
    case 'object': return isObject(v);
    case 'array': return Array.isArray(v);
    case 'string': return typeof v === 'string';
    case 'integer': return Number.isInteger(v);
    case 'number': return typeof v === 'number' && Number.isFinite(v);
    case 'boolean': return typeof v === 'boolean';
    default: return false;
  }
}

function validate(schemaNode, v, where = '$') {
  const schema = deref(schemaNode);
  const errors = [];
  if (schema.oneOf || schema.anyOf) {
    const branches = schema.oneOf ?? schema.anyOf;
    const results = branches.map((b) => validate(b, v, where));
    const passing = results.filter((r) => r.length === 0).length;
    if (schema.oneOf && passing !== 1) {
      errors.push(passing === 0
        ? `${where}: matches none of oneOf: ${results.map((r, i) => `[${i}] ${r[0]}`).join('; ')}`
        : `${where}: matches ${passing} branches of oneOf, expected exactly one`);
    }
    if (schema.anyOf && passing === 0) {
      errors.push(`${where}: matches none of anyOf: ${results.map((r, i) => `[${i}] ${r[0]}`).join('; ')}`);
    }
  }
  if (v === null) {
    if (schema.type !== undefined && schema.nullable !== true) errors.push(`${where}: null is not allowed here (not nullable)`);
    else if (schema.enum && !schema.enum.includes(null)) errors.push(`${where}: null is not one of ${JSON.stringify(schema.enum)}`);
    return errors;
  }
  if (schema.type !== undefined && !typeOk(schema.type, v)) {
    errors.push(`${where}: expected ${schema.type}, got ${JSON.stringify(v)?.slice(0, 80)}`);
    return errors;
  }
  if (schema.enum && !schema.enum.some((e) => isDeepStrictEqual(e, v))) {
    errors.push(`${where}: ${JSON.stringify(v)?.slice(0, 80)} is not one of ${JSON.stringify(schema.enum)}`);
  }
  if (typeof v === 'string') {
    if (schema.pattern !== undefined && !new RegExp(schema.pattern, 'u').test(v)) {
      errors.push(`${where}: '${excerpt(v, 80)}' does not match /${schema.pattern}/`);
    }
    const length = [...v].length;
    if (schema.minLength !== undefined && length < schema.minLength) errors.push(`${where}: shorter than ${schema.minLength}`);
    if (schema.maxLength !== undefined && length > schema.maxLength) errors.push(`${where}: longer than ${schema.maxLength}`);
  }
  if (typeof v === 'number') {
    if (schema.minimum !== undefined && v < schema.minimum) errors.push(`${where}: ${v} is below ${schema.minimum}`);
    if (schema.maximum !== undefined && v > schema.maximum) errors.push(`${where}: ${v} is above ${schema.maximum}`);
  }
  if (isObject(v)) {
    for (const name of schema.required ?? []) {
      if (!Object.hasOwn(v, name)) errors.push(`${where}: missing required property '${name}'`);
    }
    const properties = schema.properties ?? {};
    for (const [name, value] of Object.entries(v)) {
      if (Object.hasOwn(properties, name)) {
        errors.push(...validate(properties[name], value, `${where}.${name}`));
      } else if (schema.additionalProperties === false) {
        errors.push(`${where}: property '${name}' is not in the schema`);
      } else if (isObject(schema.additionalProperties)) {
        errors.push(...validate(schema.additionalProperties, value, `${where}.${name}`));
      }
    }
  }
  if (Array.isArray(v)) {
    if (schema.minItems !== undefined && v.length < schema.minItems) errors.push(`${where}: fewer than ${schema.minItems} items`);
    if (schema.maxItems !== undefined && v.length > schema.maxItems) errors.push(`${where}: more than ${schema.maxItems} items`);
  }
  if (Array.isArray(v) && schema.items) {
    v.forEach((item, i) => errors.push(...validate(schema.items, item, `${where}[${i}]`)));
  }
  return errors;
}

// ---------------------------------------------------------------------------
// The spec as operations and cases.

function parametersOf(pathItem, op) {
  const byKey = new Map();
  for (const p of [...(pathItem.parameters ?? []), ...(op.parameters ?? [])]) {
    const param = deref(p);
    byKey.set(`${param.in}:${param.in === 'header' ? param.name.toLowerCase() : param.name}`, param);
  }
  return [...byKey.values()];
}

function operations() {
  const out = [];
  for (const [path, pathItem] of Object.entries(spec.paths ?? {})) {
    for (const method of METHODS) {
      const op = pathItem?.[method];
      if (!op) continue;
      out.push({ path, method, op, pathItem, label: `${method.toUpperCase()} ${path}` });
    }
  }
  return out;
}

// Every request-side example of an operation: {part, name, example}, where
// part is a parameter or the request body's media type.
function requestExamples(o) {
  const out = [];
  for (const param of parametersOf(o.pathItem, o.op)) {
    for (const [name, ex] of Object.entries(param.examples ?? {})) {
      out.push({ part: { kind: 'param', param }, name, example: deref(ex) });
    }
  }
  const body = o.op.requestBody ? deref(o.op.requestBody) : undefined;
  for (const [mediaType, media] of Object.entries(body?.content ?? {})) {
    for (const [name, ex] of Object.entries(media.examples ?? {})) {
      out.push({ part: { kind: 'body', mediaType, media }, name, example: deref(ex) });
    }
  }
  return out;
}

// The cases of an operation: one per named response example, in document order.
function casesOf(o) {
  const out = [];
  for (const [status, responseNode] of Object.entries(o.op.responses ?? {})) {
    const response = deref(responseNode);
    for (const [mediaType, media] of Object.entries(response.content ?? {})) {
      for (const [name, ex] of Object.entries(media.examples ?? {})) {
        out.push({ name, status, mediaType, media, example: deref(ex) });
      }
    }
  }
  return out;
}

function findOperation(operationId) {
  return operations().find((o) => o.op.operationId === operationId);
}

// ---------------------------------------------------------------------------
// Lint: the structure and the example conventions.

function lint() {
  const problems = [];
  const problem = (where, what) => problems.push(`${where}: ${what}`);

  if (!/^3\.0\.\d+$/.test(String(spec.openapi))) problem('openapi', `expected 3.0.x, got ${spec.openapi}`);
  if (typeof spec.info?.title !== 'string') problem('info.title', 'missing');
  if (typeof spec.info?.version !== 'string') problem('info.version', 'missing');
  if (!isObject(spec.paths) || Object.keys(spec.paths).length === 0) problem('paths', 'missing or empty');

  // Every $ref anywhere resolves to something.
  const walk = (node, where) => {
    if (Array.isArray(node)) node.forEach((n, i) => walk(n, `${where}[${i}]`));
    else if (isObject(node)) {
      if ('$ref' in node && refTarget(node.$ref) === undefined) problem(where, `$ref '${node.$ref}' does not resolve`);
      for (const [k, v] of Object.entries(node)) walk(v, `${where}.${k}`);
    }
  };
  walk(spec, '#');
  if (problems.length) return problems; // the checks below follow $refs

  // Schemas: only the keywords the validator understands.
  const checkSchema = (schema, where) => {
    if (!isObject(schema)) return problem(where, 'schema is not an object');
    for (const key of Object.keys(schema)) {
      if (!SCHEMA_KEYWORDS.has(key) && !SCHEMA_ANNOTATIONS.has(key) && !key.startsWith('x-')) {
        problem(where, `schema keyword '${key}' is not understood by the test's validator`);
      }
    }
    if (schema.type !== undefined && !['object', 'array', 'string', 'integer', 'number', 'boolean'].includes(schema.type)) {
      problem(where, `unknown type '${schema.type}'`);
    }
    if (schema.nullable !== undefined && schema.type === undefined) {
      problem(where, '`nullable` has no effect without `type` (a schema without type already accepts null)');
    }
    if (schema.pattern !== undefined) {
      try { new RegExp(schema.pattern, 'u'); } catch (e) { problem(where, `bad pattern: ${e.message}`); }
    }
    for (const [name, sub] of Object.entries(schema.properties ?? {})) checkSchema(sub, `${where}.properties.${name}`);
    if (isObject(schema.additionalProperties)) checkSchema(schema.additionalProperties, `${where}.additionalProperties`);
    if (schema.items) checkSchema(schema.items, `${where}.items`);
    for (const k of ['oneOf', 'anyOf']) (schema[k] ?? []).forEach((s, i) => checkSchema(s, `${where}.${k}[${i}]`));
    if (schema.required && schema.type === 'object') {
      for (const name of schema.required) {
        if (schema.properties && !Object.hasOwn(schema.properties, name) && schema.additionalProperties === false) {
          problem(where, `required property '${name}' cannot be present (additionalProperties: false)`);
        }
      }
    }
  };
  for (const [name, schema] of Object.entries(spec.components?.schemas ?? {})) checkSchema(schema, `#/components/schemas/${name}`);

  const tags = new Set((spec.tags ?? []).map((t) => t.name));
  const schemes = new Set(Object.keys(spec.components?.securitySchemes ?? {}));
  const operationIds = new Map();

  for (const [path, pathItem] of Object.entries(spec.paths)) {
    if (!path.startsWith('/')) problem(path, 'a path must start with /');
    for (const key of Object.keys(pathItem)) {
      if (![...METHODS, 'summary', 'description', 'parameters', 'servers'].includes(key) && !key.startsWith('x-')) {
        problem(path, `unexpected key '${key}' in a path item`);
      }
    }
  }

  for (const o of operations()) {
    const at = o.label;
    const { op } = o;
    if (!isObject(op.responses) || Object.keys(op.responses).length === 0) {
      problem(at, 'no responses');
      continue;
    }
    if (typeof op.operationId !== 'string') problem(at, 'no operationId');
    else if (operationIds.has(op.operationId)) problem(at, `operationId '${op.operationId}' also used by ${operationIds.get(op.operationId)}`);
    else operationIds.set(op.operationId, at);
    for (const tag of op.tags ?? []) if (!tags.has(tag)) problem(at, `tag '${tag}' is not declared in the top-level tags`);
    for (const requirement of op.security ?? []) {
      for (const name of Object.keys(requirement)) if (!schemes.has(name)) problem(at, `security scheme '${name}' is not declared`);
    }
    for (const key of Object.keys(op)) {
      if (key.startsWith('x-authsim-') && !EXTENSIONS.operation.includes(key)) problem(at, `unknown extension '${key}' on an operation`);
    }

    for (const [status, responseNode] of Object.entries(op.responses)) {
      if (!/^([1-5]\d\d|[1-5]XX|default)$/.test(status)) problem(at, `response key '${status}' is not a status`);
      const response = deref(responseNode);
      if (typeof response.description !== 'string') problem(`${at} ${status}`, 'a response needs a description');
      for (const [mediaType, media] of Object.entries(response.content ?? {})) {
        if (!media.schema) problem(`${at} ${status} ${mediaType}`, 'no schema');
        else checkSchema(deref(media.schema), `${at} ${status} ${mediaType} schema`);
        if (media.example !== undefined && media.examples !== undefined) problem(`${at} ${status} ${mediaType}`, 'both example and examples');
      }
    }

    // Parameters, against the path template.
    for (const list of [o.pathItem.parameters ?? [], op.parameters ?? []]) {
      const seen = new Set();
      for (const p of list.map(deref)) {
        const where = `${at} parameter ${p.in}:${p.name}`;
        if (typeof p.name !== 'string' || !['query', 'header', 'path', 'cookie'].includes(p.in)) {
          problem(where, 'needs a name and a valid "in"');
          continue;
        }
        if (!p.schema) problem(where, 'no schema');
        else checkSchema(deref(p.schema), `${where} schema`);
        if (p.in === 'path' && p.required !== true) problem(where, 'a path parameter must be required');
        if (p.example !== undefined && p.examples !== undefined) problem(where, 'both example and examples');
        // Header names are case-insensitive; the others are not.
        const key = `${p.in}:${p.in === 'header' ? p.name.toLowerCase() : p.name}`;
        if (seen.has(key)) problem(where, 'declared twice');
        seen.add(key);
      }
    }
    const params = parametersOf(o.pathItem, op);
    const templated = [...o.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
    const declared = params.filter((p) => p.in === 'path').map((p) => p.name);
    for (const name of templated) if (!declared.includes(name)) problem(at, `path parameter '{${name}}' is not declared`);
    for (const name of declared) if (!templated.includes(name)) problem(at, `path parameter '${name}' is not in the path`);
    if (op.requestBody) {
      const body = deref(op.requestBody);
      if (!isObject(body.content) || Object.keys(body.content).length === 0) problem(at, 'requestBody without content');
      for (const [mediaType, media] of Object.entries(body.content ?? {})) {
        if (!media.schema) problem(`${at} requestBody ${mediaType}`, 'no schema');
        else checkSchema(deref(media.schema), `${at} requestBody ${mediaType} schema`);
      }
    }

    // The example conventions.
    const cases = casesOf(o);
    const caseNames = new Map();
    for (const c of cases) {
      const where = `${at} response ${c.status} ${c.mediaType} example '${c.name}'`;
      if (caseNames.has(c.name)) problem(where, `the name is also used under response ${caseNames.get(c.name)}`);
      caseNames.set(c.name, c.status);
      if (!/^[1-5]\d\d$/.test(c.status)) problem(where, 'an example must sit under an explicit status code');
      for (const key of Object.keys(c.example)) {
        if (key.startsWith('x-authsim-') && !EXTENSIONS.responseExample.includes(key)) problem(where, `unknown extension '${key}'`);
      }
      if (!Object.hasOwn(c.example, 'value')) problem(where, 'no value');
      else if (c.media.schema) {
        let value = c.example.value;
        if (isJsonMedia(c.mediaType) && typeof value === 'string') {
          try { value = JSON.parse(value); } catch { problem(where, 'string value is not JSON'); }
        }
        for (const e of validate(c.media.schema, value)) problem(where, `value does not match the schema: ${e}`);
      }
      const equal = c.example['x-authsim-equal'];
      if (equal !== undefined) {
        if (!Array.isArray(equal) || !equal.every((p) => typeof p === 'string')) problem(where, 'x-authsim-equal must be a list of JSON pointers');
        else if (!isJsonMedia(c.mediaType)) problem(where, 'x-authsim-equal needs a JSON media type');
        else for (const p of equal) {
          try {
            if (pointerGet(c.example.value, p) === undefined) problem(where, `x-authsim-equal: '${p}' is not in the example value`);
          } catch (e) { problem(where, `x-authsim-equal: ${e.message}`); }
        }
      }
    }
    if (cases.length === 0) problem(at, 'no response example, so nothing checks this operation');

    const baseName = op['x-authsim-base'];
    if (baseName !== undefined && !caseNames.has(baseName)) problem(at, `x-authsim-base '${baseName}' is not the name of a response example`);

    const bodyMediaByName = new Map();
    for (const { part, name, example } of requestExamples(o)) {
      const where = `${at} ${part.kind === 'body' ? `requestBody ${part.mediaType}` : `parameter ${part.param.in}:${part.param.name}`} example '${name}'`;
      if (!caseNames.has(name)) problem(where, 'no response example of the same name, so nothing says what it gets');
      if (part.kind === 'body') {
        if (bodyMediaByName.has(name)) problem(where, `also given under ${bodyMediaByName.get(name)}`);
        bodyMediaByName.set(name, part.mediaType);
      }
      for (const key of Object.keys(example)) {
        if (key.startsWith('x-authsim-') && !EXTENSIONS.requestExample.includes(key)) problem(where, `unknown extension '${key}'`);
      }
      const omit = example['x-authsim-omit'] === true;
      if (omit && Object.hasOwn(example, 'value')) problem(where, 'x-authsim-omit with a value');
      if (!omit && !Object.hasOwn(example, 'value')) problem(where, 'no value (use x-authsim-omit: true for a part that is not sent)');
      const uses = example['x-authsim-uses'];
      if (uses !== undefined) {
        const target = isObject(uses) ? findOperation(uses.operationId) : undefined;
        if (!target) problem(where, `x-authsim-uses: no operation '${uses?.operationId}'`);
        else if (!casesOf(target).some((c) => c.name === uses.example)) problem(where, `x-authsim-uses: ${uses.operationId} has no example '${uses.example}'`);
        for (const key of Object.keys(uses ?? {})) {
          if (!['operationId', 'example', 'from', 'to', 'answerOf'].includes(key)) problem(where, `x-authsim-uses: unknown key '${key}'`);
        }
        for (const key of ['from', 'to']) {
          if (uses?.[key] !== undefined && !(typeof uses[key] === 'string' && /^(\/|$)/.test(uses[key]))) {
            problem(where, `x-authsim-uses: "${key}" must be a JSON pointer`);
          }
        }
        if (uses?.to !== undefined && (part.kind !== 'body' || !isObject(example.value))) problem(where, 'x-authsim-uses: "to" is for object body examples only');
        else if (uses?.to !== undefined && pointerGet(example.value, uses.to) === undefined) problem(where, `x-authsim-uses: "to" ${uses.to} is not in the example value`);
        if (uses?.to !== undefined && uses?.from === undefined) problem(where, 'x-authsim-uses: "to" without "from"');
      }
    }

    // The requests meant to be accepted must match the request schemas: the
    // base case's, or, without a base, those of the 2xx cases. (UOCS refuses
    // with HTTP 200, so a 2xx status alone does not mean accepted.)
    const accepted = baseName !== undefined ? cases.filter((x) => x.name === baseName) : cases.filter((x) => /^2/.test(x.status));
    for (const c of accepted) {
      for (const chosen of chooseParts(o, c.name)) {
        if (chosen.omitted || !chosen.example) continue;
        const schema = chosen.part.kind === 'body' ? chosen.part.media.schema : chosen.part.param.schema;
        if (!schema) continue;
        let value = chosen.example.value;
        if (chosen.part.kind === 'body' && typeof value === 'string' && isJsonMedia(chosen.part.mediaType)) {
          try { value = JSON.parse(value); } catch { problem(`${at} case '${c.name}'`, 'its request body is not JSON'); continue; }
        }
        const what = chosen.part.kind === 'body' ? 'request body' : `parameter ${chosen.part.param.name}`;
        for (const e of validate(schema, value)) problem(`${at} case '${c.name}' ${what}`, e);
      }
    }
  }
  return problems;
}

// For case `name`: each request part with the example it takes (its own,
// else the operation's x-authsim-base), or `omitted`.
function chooseParts(o, name) {
  const baseName = o.op['x-authsim-base'];
  const out = [];
  for (const param of parametersOf(o.pathItem, o.op)) {
    const examples = param.examples ?? {};
    const node = examples[name] ?? (baseName !== undefined ? examples[baseName] : undefined);
    const example = node ? deref(node) : undefined;
    out.push({ part: { kind: 'param', param }, example, omitted: !example || example['x-authsim-omit'] === true });
  }
  const body = o.op.requestBody ? deref(o.op.requestBody) : undefined;
  const content = Object.entries(body?.content ?? {});
  const pick = (n) => content.find(([, media]) => media.examples && Object.hasOwn(media.examples, n));
  const found = pick(name) ?? (baseName !== undefined ? pick(baseName) : undefined);
  if (found) {
    const [mediaType, media] = found;
    const example = deref(media.examples[Object.hasOwn(media.examples, name) ? name : baseName]);
    out.push({ part: { kind: 'body', mediaType, media }, example, omitted: example['x-authsim-omit'] === true });
  }
  return out;
}

// The paths a case reaches: its own and, through x-authsim-uses, those of
// the cases it runs first.
function pathsOfCase(o, name, seen = new Set()) {
  const key = `${o.op.operationId}/${name}`;
  if (seen.has(key)) return [];
  seen.add(key);
  const out = [o.path];
  for (const chosen of chooseParts(o, name)) {
    const uses = !chosen.omitted && chosen.example['x-authsim-uses'];
    const target = uses && findOperation(uses.operationId);
    if (target) out.push(...pathsOfCase(target, uses.example, seen));
  }
  return out;
}

// ---------------------------------------------------------------------------
// Sending.

async function send({ method, path, headers = {}, body }) {
  const allHeaders = { ...headers };
  if (path.startsWith('/__admin/') && adminToken) allHeaders.authorization = `Bearer ${adminToken}`;
  const response = await fetch(base + path, {
    method,
    headers: allHeaders,
    body,
    redirect: 'manual',
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text };
}

// Runs case `name` of operation `o` and checks its answer; returns the answer
// (with `json` for a JSON media type) so that x-authsim-uses can take values
// from it. `chain` is the list of cases that asked for this one.
async function runCase(o, name, chain = [], log = () => {}) {
  const key = `${o.op.operationId}/${name}`;
  if (chain.includes(key)) throw new Error(`x-authsim-uses cycle: ${[...chain, key].join(' -> ')}`);
  const c = casesOf(o).find((x) => x.name === name);
  if (!c) throw new Error(`${o.label} has no example '${name}'`);

  const query = new URLSearchParams();
  const headers = {};
  let path = o.path;
  let body;
  // The answers of the cases run first, by operation, for answerOf.
  let ranFirst = {};
  for (const chosen of chooseParts(o, name)) {
    if (chosen.omitted) continue;
    let value = structuredClone(chosen.example.value);
    const uses = chosen.example['x-authsim-uses'];
    if (uses) {
      const target = findOperation(uses.operationId);
      let earlier;
      try {
        earlier = await runCase(target, uses.example, [...chain, key], log);
        ranFirst = { ...ranFirst, ...earlier.chain };
      } catch (error) {
        throw new Error(`while running ${uses.operationId}/${uses.example} first (x-authsim-uses): ${error.message}`);
      }
      if (uses.from !== undefined) {
        // answerOf: an operation that case ran first itself (at any depth).
        const source = uses.answerOf !== undefined ? earlier.chain?.[uses.answerOf] : earlier;
        if (!source) throw new Error(`${uses.operationId}/${uses.example} did not run ${uses.answerOf} first (x-authsim-uses answerOf)`);
        const taken = pointerGet(source.json, uses.from);
        if (taken === undefined) throw new Error(`${uses.answerOf ?? uses.operationId} answered without '${uses.from}': ${excerpt(source.text)}`);
        value = uses.to !== undefined ? pointerSet(value, uses.to, taken) : taken;
      }
    }
    const { part } = chosen;
    if (part.kind === 'body') {
      // A string value is the body's exact bytes (a signature covers them);
      // anything else is serialised here.
      body = typeof value === 'string' ? value : JSON.stringify(value);
      headers['content-type'] = part.mediaType;
    } else if (part.param.in === 'query') {
      query.append(part.param.name, String(value));
    } else if (part.param.in === 'header') {
      headers[part.param.name] = String(value);
    } else if (part.param.in === 'path') {
      path = path.replace(`{${part.param.name}}`, encodeURIComponent(String(value)));
    } else {
      throw new Error(`parameters in ${part.param.in} are not supported by this test`);
    }
  }
  const target = query.size ? `${path}?${query}` : path;
  const method = o.method.toUpperCase();
  const answer = await send({ method, path: target, headers, body });
  log(`${key}: ${method} ${target} ${JSON.stringify(headers)}${body !== undefined ? ` ${JSON.stringify(excerpt(body, 300))}` : ''}`);
  log(`${key}: -> ${answer.status} ${answer.headers.get('content-type')} ${excerpt(answer.text)}`);

  const context = `${key} (${method} ${target}) answered ${answer.status} ${excerpt(answer.text)}`;
  assert.equal(answer.status, Number(c.status), `wrong status: ${context}`);
  assert.equal(essence(answer.headers.get('content-type')), essence(c.mediaType), `wrong Content-Type '${answer.headers.get('content-type')}': ${context}`);
  let received = answer.text;
  if (isJsonMedia(c.mediaType)) {
    try {
      received = JSON.parse(answer.text);
    } catch (error) {
      assert.fail(`the body is not JSON (${error.message}): ${context}`);
    }
    answer.json = received;
  }
  const errors = c.media.schema ? validate(c.media.schema, received) : [];
  assert.deepEqual(errors, [], `the answer does not match the response schema: ${context}`);
  for (const pointer of c.example['x-authsim-equal'] ?? []) {
    assert.deepEqual(pointerGet(received, pointer), pointerGet(c.example.value, pointer),
      `x-authsim-equal ${pointer} differs from the example: ${context}`);
  }
  answer.chain = { ...ranFirst, [o.op.operationId]: answer };
  return answer;
}

// The router's own refusals, whatever the envelope: no route at the path, or
// none for the method.
function routerRefusal(answer) {
  let body;
  try { body = JSON.parse(answer.text); } catch { return undefined; }
  const code = body?.code ?? body?.errorCode ?? body?.error?.code;
  // UOCS paths answer the interface exception code, 10006, for both.
  if (answer.status === 404 && [40400, 'NOT_FOUND', '10006'].includes(code) && /no endpoint at path/.test(answer.text)) return 'unknown path';
  if (answer.status === 405 && [40500, 'METHOD_NOT_ALLOWED', '10006'].includes(code) && /not allowed/.test(answer.text)) return 'method not allowed';
  return undefined;
}

const concretePath = (o) => o.path.replace(/\{([^}]+)\}/g, (_, name) => {
  const param = parametersOf(o.pathItem, o.op).find((p) => p.in === 'path' && p.name === name);
  const first = Object.values(param?.examples ?? {}).map(deref).find((e) => Object.hasOwn(e, 'value'));
  return encodeURIComponent(String(first?.value ?? param?.example ?? 'x'));
});

// ---------------------------------------------------------------------------
// The tests.

const lintProblems = lint();
// With a broken spec, only the first test fails; the others would only repeat it.
const blocked = lintProblems.length > 0 && 'openapi.yaml is not well-formed (see the first test)';

test('openapi.yaml is well-formed OpenAPI and follows its example conventions', () => {
  assert.deepEqual(lintProblems, []);
});

test('every path of the spec is served, with exactly the spec\'s methods', { skip: blocked }, async (t) => {
  const byPath = new Map();
  for (const o of operations()) {
    if (!byPath.has(o.path)) byPath.set(o.path, { o, methods: [] });
    byPath.get(o.path).methods.push(o.method.toUpperCase());
  }
  // A path nobody serves must be told apart from the others.
  const control = await send({ method: 'OPTIONS', path: '/dg/v1/no-such-endpoint' });
  assert.equal(routerRefusal(control), 'unknown path', `control probe: ${control.status} ${control.text}`);
  for (const [path, { o, methods }] of byPath) {
    await t.test(path, { skip: skipped.has(path) && `${path} is in AUTHSIM_OPENAPI_SKIP` }, async () => {
      const probe = await send({ method: 'OPTIONS', path: concretePath(o) });
      const refusal = routerRefusal(probe);
      assert.notEqual(refusal, 'unknown path', `the server has no route at ${path}: ${probe.text}`);
      assert.equal(refusal, 'method not allowed', `OPTIONS ${path} should get the router's 405: ${probe.status} ${probe.text}`);
      // HEAD comes with every GET (the server answers it wherever GET is);
      // the spec describes GET only.
      const allowed = (probe.headers.get('allow') ?? '')
        .split(',')
        .map((m) => m.trim())
        .filter((m) => m && !(m === 'HEAD' && methods.map((x) => x.toUpperCase()).includes('GET')));
      assert.deepEqual([...allowed].sort(), [...methods].sort(), `methods of ${path}: the server allows ${allowed.join(', ')}`);
    });
  }
});

test('the spec lists exactly the routes the server registers', { skip: blocked }, async () => {
  const inSpec = operations().map((o) => o.label).sort();
  const missing = SERVER_ROUTES.filter((r) => !inSpec.includes(r));
  const extra = inSpec.filter((r) => !SERVER_ROUTES.includes(r));
  assert.deepEqual({ missing, extra }, { missing: [], extra: [] }, 'routes missing from the spec, or not registered by the server');
  const health = await send({ method: 'GET', path: '/__admin/health' });
  assert.equal(health.status, 200, `GET /__admin/health: ${health.text}`);
  const stubs = JSON.parse(health.text).fixtures.stubs;
  assert.equal(stubs, STUB_ROUTES, `the server loaded ${stubs} stub file(s), which add routes that SERVER_ROUTES and the spec do not hold (expected ${STUB_ROUTES}: run the test against the default fixtures)`);
});

for (const o of operations()) {
  const skip = blocked || (skipped.has(o.path) && `${o.path} is in AUTHSIM_OPENAPI_SKIP`);
  test(`${o.label} (${o.op.operationId})`, { skip }, async (t) => {
    const log = verbose ? (line) => t.diagnostic(line) : () => {};
    for (const c of casesOf(o)) {
      const needs = pathsOfCase(o, c.name).find((p) => skipped.has(p));
      const skipCase = needs !== undefined && `it runs ${needs} first, which is in AUTHSIM_OPENAPI_SKIP`;
      await t.test(`${c.name} -> ${c.status} ${c.mediaType}`, { skip: skipCase }, async () => {
        await runCase(o, c.name, [], log);
      });
    }
  });
}
