// Validates frames and HTTP bodies against docs/protocol.schema.json (the published contract).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const schemaPath = path.resolve(here, '../../../docs/protocol.schema.json');
const schema = JSON.parse(readFileSync(schemaPath, 'utf8'));
const ajv = new Ajv2020({ allErrors: true, strict: false });
ajv.addSchema(schema);
const id = schema.$id;

const cache = new Map();
function validator(ref) {
  if (!cache.has(ref)) cache.set(ref, ajv.getSchema(`${id}#/$defs/${ref}`));
  const v = cache.get(ref);
  if (!v) throw new Error(`no schema at $defs/${ref}`);
  return v;
}

// Throws with the schema errors if `value` does not match $defs/<ref>.
export function check(ref, value) {
  const v = validator(ref);
  if (!v(value)) {
    throw new Error(`frame does not match $defs/${ref}: ${ajv.errorsText(v.errors)}\n` +
      JSON.stringify(value));
  }
}

export const checkServerFrame = (frame) => check('server_frame', frame);
export const checkClientFrame = (frame) => check('client_frame', frame);
export const checkResult = (type, result) => check(`results/${type}`, result);
export const checkHttp = (name, body) => check(`http/${name}`, body);
export const requestTypes = Object.keys(schema.$defs.requests);
export const errorCodes = schema.$defs.error_code.enum;
