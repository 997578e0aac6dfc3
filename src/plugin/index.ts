export { allowedOrigins, corsOptions, type CorsConfig } from './cors.js';
export {
  buildPluginPackage,
  formatPackageDate,
  loadPluginFiles,
  PLACEHOLDERS,
  PLUGIN_ID,
  PLUGIN_ZIP,
  renderPackageIndex,
  type PluginPackage,
  type PluginSourceFiles,
} from './package.js';
export { createPluginRoutes, PLUGIN_INDEX_PATH, PLUGIN_ZIP_PATH, requestOrigin, type PluginRoutesOptions } from './routes.js';
