import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { extractZipEntry } from '../../src/models/zip.js';
import { buildZip } from './helpers/zip-writer.js';

describe('extractZipEntry', () => {
  const model = randomBytes(50_000);
  const other = Buffer.from('licence text '.repeat(100));

  it('finds a file by its name inside any folder of the archive, deflated or stored', () => {
    const archive = buildZip([
      { name: 'buffalo_sc/w600k_mbf.onnx', data: other },
      { name: 'buffalo_sc/det_500m.onnx', data: model },
    ]);
    expect(extractZipEntry(archive, 'det_500m.onnx', 'buffalo_sc.zip').equals(model)).toBe(true);
    const stored = buildZip([{ name: 'det_500m.onnx', data: model, deflate: false }]);
    expect(extractZipEntry(stored, 'det_500m.onnx', 'buffalo_sc.zip').equals(model)).toBe(true);
  });

  it('refuses a missing, an ambiguous or a damaged entry, naming the archive', () => {
    const archive = buildZip([{ name: 'a/det_500m.onnx', data: model }, { name: 'b/det_500m.onnx', data: other }]);
    expect(() => extractZipEntry(archive, 'arcface.onnx', 'pack.zip')).toThrow(/pack\.zip is not a usable zip archive: it has no arcface\.onnx/);
    expect(() => extractZipEntry(archive, 'det_500m.onnx', 'pack.zip')).toThrow(/it has 2 files named det_500m\.onnx/);
    expect(() => extractZipEntry(randomBytes(1000), 'det_500m.onnx', 'pack.zip')).toThrow(/no end-of-central-directory/);
    const damaged = buildZip([{ name: 'det_500m.onnx', data: model }]);
    damaged.fill(0, 40, 2000);
    expect(() => extractZipEntry(damaged, 'det_500m.onnx', 'pack.zip')).toThrow(/does not inflate|bytes, the directory says/);
  });
});
