// A stand-in for Stash's web UI in a real browser: window.PluginApi with real React 17, react-dom 17,
// react-router-dom 5 and react-bootstrap 1.6 (what Stash 0.27+ ships), the patch registry with Stash's
// before/instead/after semantics (ui/v2.5/src/patch.tsx), and the components the plugin patches, rendered
// with the props Stash gives them. Bundled by esbuild in test/plugin/stash-ui.ts.
import React from 'react';
import ReactDOM from 'react-dom';
import * as ReactRouterDOM from 'react-router-dom';
import * as Bootstrap from 'react-bootstrap';

const { BrowserRouter, NavLink, Route, Switch, useParams } = ReactRouterDOM;
const { Nav, Navbar, Tab } = Bootstrap;

const patches = { before: {}, instead: {}, after: {} };
const routes = [];
const components = {};

function addPatch(kind) {
  return (name, fn) => {
    (patches[kind][name] = patches[kind][name] || []).push(fn);
  };
}

// Instead functions get the arguments plus the next function; the last one's next is the original.
function runInstead(fns, target, self, args) {
  let index = 1;
  const next = () => {
    if (index >= fns.length) return target;
    const fn = fns[index++];
    const following = next();
    return (...nextArgs) => fn.apply(self, [...nextArgs, following]);
  };
  return fns[0].apply(self, [...args, next()]);
}

function patchFunction(name, fn) {
  return new Proxy(fn, {
    apply(target, self, args) {
      let current = args;
      for (const before of patches.before[name] || []) current = before.apply(self, current);
      const instead = patches.instead[name] || [];
      let result = instead.length ? runInstead(instead, target, self, current) : target.apply(self, current);
      for (const after of patches.after[name] || []) result = after.apply(self, [...current, result]);
      return result;
    },
  });
}

function patchComponent(name, fn) {
  const patched = patchFunction(name, fn);
  components[name] = patched;
  return patched;
}

function containerComponent(name) {
  return patchComponent(name, (props) => <>{props.children}</>);
}

window.PluginApi = {
  React,
  ReactDOM,
  libraries: { ReactRouterDOM, Bootstrap },
  components,
  register: {
    route: (path, component) => routes.push({ path, component }),
    component: (name, component) => {
      components[name] = component;
    },
  },
  patch: { before: addPatch('before'), instead: addPatch('instead'), after: addPatch('after') },
  utils: { NavUtils: {}, StashService: {}, InteractiveUtils: {}, loadComponents: () => Promise.resolve() },
  hooks: {},
  Event: new EventTarget(),
};

const MainNavBarMenuItems = containerComponent('MainNavBar.MenuItems');
const ScenePageTabs = containerComponent('ScenePage.Tabs');
const ScenePageTabContent = containerComponent('ScenePage.TabContent');

const ScenePage = patchComponent('ScenePage', (props) => {
  const [active, setActive] = React.useState('scene-details-panel');
  return (
    <div className="row scene-page">
      <div className="scene-tabs col-xl-5">
        <h3 className="scene-header">{props.scene.title}</h3>
        <Tab.Container activeKey={active} onSelect={(key) => key && setActive(key)}>
          <div>
            <Nav variant="tabs" className="mr-auto">
              <ScenePageTabs {...props}>
                <Nav.Item>
                  <Nav.Link eventKey="scene-details-panel">Details</Nav.Link>
                </Nav.Item>
                <Nav.Item>
                  <Nav.Link eventKey="scene-file-info-panel">File Info</Nav.Link>
                </Nav.Item>
              </ScenePageTabs>
            </Nav>
          </div>
          <Tab.Content>
            <ScenePageTabContent {...props}>
              <Tab.Pane eventKey="scene-details-panel">
                <div className="scene-details">Performers: {props.scene.performers.map((p) => p.name).join(', ') || 'none'}</div>
              </Tab.Pane>
              <Tab.Pane eventKey="scene-file-info-panel">
                <div>scene.mp4</div>
              </Tab.Pane>
            </ScenePageTabContent>
          </Tab.Content>
        </Tab.Container>
      </div>
      <div className="scene-player-container col-xl-7">
        <div className="harness-player">video player</div>
      </div>
    </div>
  );
});

const ImageDetailPanel = patchComponent('ImageDetailPanel', ({ image }) => (
  <div className="row">
    <div className="col-12 image-details">
      <h6>Created at: 2024-01-01</h6>
      <h6>{image.title || `Image ${image.id}`}</h6>
    </div>
  </div>
));

const GalleryImagesPanel = patchComponent('GalleryImagesPanel', ({ gallery }) => <div className="harness-image-list">The images of {gallery.title || `gallery ${gallery.id}`}</div>);

const data = window.__harnessData || { scenes: {}, images: {}, galleries: {} };

function SceneRoute() {
  const { id } = useParams();
  const scene = data.scenes[id] || { id, title: `Scene ${id}`, performers: [] };
  return <ScenePage scene={scene} setTimestamp={() => {}} queueScenes={[]} collapsed={false} setCollapsed={() => {}} />;
}

function ImageRoute() {
  const { id } = useParams();
  const image = data.images[id] || { id, paths: {}, visual_files: [] };
  return (
    <div className="image-tabs">
      <ImageDetailPanel image={image} />
    </div>
  );
}

function GalleryRoute() {
  const { id } = useParams();
  const gallery = data.galleries[id] || { id };
  return (
    <div className="gallery-container">
      <GalleryImagesPanel active gallery={gallery} extraOperations={[]} />
    </div>
  );
}

function PluginRoutes() {
  return (
    <Switch>
      {routes.map((route) => (
        <Route key={route.path} path={route.path} component={route.component} />
      ))}
      <Route>
        <div className="harness-not-found">Page not found</div>
      </Route>
    </Switch>
  );
}

function App() {
  return (
    <BrowserRouter>
      <Navbar bg="dark" variant="dark" expand="xl" className="top-nav">
        <Navbar.Brand>Stash</Navbar.Brand>
        <Nav className="mr-md-auto">
          <MainNavBarMenuItems>
            <Nav.Link as="div" className="col-4 col-sm-3 col-md-2 col-lg-auto" eventKey="/scenes">
              <NavLink className="btn minimal p-4 p-xl-2" to="/scenes/1">
                Scenes
              </NavLink>
            </Nav.Link>
          </MainNavBarMenuItems>
        </Nav>
      </Navbar>
      <div className="main container-fluid">
        <Switch>
          <Route path="/scenes/:id" component={SceneRoute} />
          <Route path="/images/:id" component={ImageRoute} />
          <Route path="/galleries/:id" component={GalleryRoute} />
          <Route component={PluginRoutes} />
        </Switch>
      </div>
    </BrowserRouter>
  );
}

window.__startHarness = () => ReactDOM.render(<App />, document.getElementById('root'));
