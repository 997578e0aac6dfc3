// Stash's React 17, never a bundled copy (two Reacts on one page break hooks). TSX files import it from here
// so the classic JSX transform's React.createElement is Stash's.
import { pluginApi } from './plugin-api.js';

export const React = pluginApi().React;
