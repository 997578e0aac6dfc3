import { GraphQLScalarType } from 'graphql';
import { SenseError } from '../../errors.js';
import { isUploadedFile } from '../../identify/index.js';

// Yoga's multipart parser puts the uploaded File into the variables; the scalar only has to let it through.
export const File = new GraphQLScalarType({
  name: 'File',
  description: 'An uploaded file (multipart request)',
  serialize: () => {
    throw new SenseError('BAD_INPUT', 'File is an input-only scalar');
  },
  parseValue: (value) => {
    if (!isUploadedFile(value)) throw new SenseError('BAD_INPUT', 'image must be a file upload (multipart request)');
    return value;
  },
  parseLiteral: () => {
    throw new SenseError('BAD_INPUT', 'A file cannot be written inline in the query; send it as a multipart upload');
  },
});
