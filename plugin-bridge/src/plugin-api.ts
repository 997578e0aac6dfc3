// The part of Stash's window.PluginApi (ui/v2.5/src/pluginApi.tsx, Stash 0.27+) this plugin uses. Everything
// React comes from here: the plugin must render with Stash's own React, router and react-bootstrap instances,
// or its elements would not join Stash's component tree (contexts, the tab container, the router).
import type * as ReactTypes from 'react';

type Component<P> = ReactTypes.ComponentType<P & { children?: ReactTypes.ReactNode }>;

export interface PluginApi {
  React: typeof ReactTypes;
  libraries: {
    ReactRouterDOM: {
      Link: Component<{ to: string; className?: string; title?: string }>;
      NavLink: Component<{ to: string; className?: string; exact?: boolean; title?: string }>;
    };
    Bootstrap: {
      Nav: Component<{ className?: string; variant?: string }> & {
        Item: Component<{ className?: string }>;
        Link: Component<{ eventKey?: string; as?: string; className?: string }>;
      };
      Tab: {
        Pane: Component<{ eventKey: string; mountOnEnter?: boolean; className?: string }>;
      };
    };
  };
  register: {
    route(path: string, component: ReactTypes.ComponentType<Record<string, unknown>>): void;
  };
  patch: {
    /** Returns the arguments the component is rendered with. */
    before(component: string, fn: (...args: unknown[]) => unknown[]): void;
    /** Gets the render's arguments plus its result (last) and returns what is rendered instead. */
    after(component: string, fn: (...args: unknown[]) => unknown): void;
  };
}

declare global {
  interface Window {
    PluginApi?: PluginApi;
  }
}

/** Stash defines window.PluginApi before it loads plugin scripts; without it there is nothing to attach to. */
export function pluginApi(): PluginApi {
  const api = window.PluginApi;
  if (!api) throw new Error('Stash Sense: window.PluginApi is missing; this script runs only inside Stash 0.27 or later');
  return api;
}
