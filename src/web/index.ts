export { createWebPages, authHintFrom, type WebPages, type WebPagesOptions } from './routes.js';
export { renderStatusPage, type StatusPageModel, type AuthHint } from './status-page.js';
