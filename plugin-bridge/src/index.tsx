// Stash Sense inside Stash: a tab on scene pages, a panel on image pages and above a gallery's images, a
// dashboard at /plugins/stash-sense with a link in the main navigation. Everything attaches through
// PluginApi.register and PluginApi.patch, so nothing depends on Stash's markup.
import { Dashboard, DASHBOARD_PATH } from './components/dashboard.js';
import { GalleryIdentifyPanel, ImageIdentifyPanel, SceneIdentifyPanel } from './components/identify-panels.js';
import { pluginApi } from './plugin-api.js';
import { React } from './react.js';

const SCENE_TAB_KEY = 'stash-sense-panel';

interface ScenePageProps {
  scene?: { id?: string };
  children?: React.ReactNode;
}

interface ImagePanelProps {
  image?: {
    id?: string;
    paths?: { image?: string | null } | null;
    visual_files?: ({ width?: number | null; height?: number | null } | null)[] | null;
  };
}

interface GalleryPanelProps {
  gallery?: { id?: string };
}

function register(): void {
  const api = pluginApi();
  const { Nav, Tab } = api.libraries.Bootstrap;
  const { NavLink } = api.libraries.ReactRouterDOM;

  api.register.route(DASHBOARD_PATH, Dashboard);

  api.patch.before('MainNavBar.MenuItems', (...args) => {
    const props = (args[0] ?? {}) as { children?: React.ReactNode };
    const children = (
      <>
        {props.children}
        <Nav.Link as="div" className="col-4 col-sm-3 col-md-2 col-lg-auto" eventKey={DASHBOARD_PATH}>
          <NavLink
            to={DASHBOARD_PATH}
            className="btn minimal p-4 p-xl-2 d-flex d-xl-inline-block flex-column justify-content-between align-items-center stash-sense-nav-link"
            title="Stash Sense: face recognition"
          >
            <span>Stash Sense</span>
          </NavLink>
        </Nav.Link>
      </>
    );
    return [{ ...props, children }, ...args.slice(1)];
  });

  // ScenePage.Tabs and ScenePage.TabContent are Stash's containers for the scene page's tab headers and
  // panes; a Nav.Item and a Tab.Pane with the same key add a tab.
  api.patch.before('ScenePage.Tabs', (...args) => {
    const props = (args[0] ?? {}) as ScenePageProps;
    const children = (
      <>
        {props.children}
        <Nav.Item>
          <Nav.Link eventKey={SCENE_TAB_KEY} className="stash-sense-tab">
            Stash Sense
          </Nav.Link>
        </Nav.Item>
      </>
    );
    return [{ ...props, children }, ...args.slice(1)];
  });

  api.patch.before('ScenePage.TabContent', (...args) => {
    const props = (args[0] ?? {}) as ScenePageProps;
    const sceneId = props.scene?.id;
    const children = (
      <>
        {props.children}
        <Tab.Pane eventKey={SCENE_TAB_KEY} mountOnEnter>
          {sceneId ? <SceneIdentifyPanel sceneId={sceneId} /> : <div className="stash-sense-muted">This scene has no id yet.</div>}
        </Tab.Pane>
      </>
    );
    return [{ ...props, children }, ...args.slice(1)];
  });

  // After-patches get the render's arguments and then its result; the result is always the last one.
  api.patch.after('ImageDetailPanel', (...args) => {
    const original = args[args.length - 1] as React.ReactNode;
    const image = ((args[0] ?? {}) as ImagePanelProps).image;
    if (!image?.id) return original;
    const file = image.visual_files?.find((entry) => entry?.width && entry.height);
    return (
      <>
        {original}
        <ImageIdentifyPanel image={{ id: image.id, url: image.paths?.image ?? null, width: file?.width ?? null, height: file?.height ?? null }} />
      </>
    );
  });

  api.patch.after('GalleryImagesPanel', (...args) => {
    const original = args[args.length - 1] as React.ReactNode;
    const galleryId = ((args[0] ?? {}) as GalleryPanelProps).gallery?.id;
    if (!galleryId) return original;
    return (
      <>
        <GalleryIdentifyPanel galleryId={galleryId} />
        {original}
      </>
    );
  });
}

try {
  register();
} catch (error: unknown) {
  console.error('Stash Sense plugin could not start', error);
}
