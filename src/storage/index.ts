export { checkSqliteFile, checkSqliteIntegrity, damaged, type StoredFile } from './sqlite-file.js';
