export { createWebPages, authHintFrom, ICON_PATH, type WebPages, type WebPagesOptions } from './routes.js';
export { renderStatusPage, type StatusPageModel, type AuthHint } from './status-page.js';
