import { React } from '../react.js';
import { createSidecarClient, describeError, type SidecarClient } from '../sidecar.js';
import { loadSettings, type PluginSettings } from '../settings.js';

export interface Sidecar {
  settings: PluginSettings;
  client: SidecarClient;
}

/** The plugin settings and a client for the sidecar they name; undefined while Stash is asked. */
export function useSidecar(): Sidecar | undefined {
  const [sidecar, setSidecar] = React.useState<Sidecar>();
  React.useEffect(() => {
    let live = true;
    void loadSettings().then((settings) => {
      if (live) setSidecar({ settings, client: createSidecarClient(settings.sidecarUrl, settings.apiKey) });
    });
    return () => {
      live = false;
    };
  }, []);
  return sidecar;
}

export function ErrorNotice({ error, sidecarUrl, onRetry }: { error: unknown; sidecarUrl: string; onRetry?: () => void }) {
  const { title, detail, hint } = describeError(error, sidecarUrl);
  return (
    <div className="stash-sense-error alert alert-danger" role="alert">
      <strong className="stash-sense-error-title">{title}</strong>
      <div className="stash-sense-error-detail">{detail}</div>
      {hint ? <div className="stash-sense-error-hint">{hint}</div> : null}
      {onRetry ? (
        <button type="button" className="btn btn-sm btn-danger mt-2" onClick={onRetry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}

export function Loading({ text }: { text: string }) {
  return (
    <div className="stash-sense-loading" role="status">
      <span className="spinner-border spinner-border-sm" aria-hidden="true" /> {text}
    </div>
  );
}

export function Card({ title, className, actions, children }: { title: string; className?: string; actions?: React.ReactNode; children?: React.ReactNode }) {
  return (
    <section className={`card stash-sense-card ${className ?? ''}`} aria-label={title}>
      <div className="card-header stash-sense-card-header">
        <h5>{title}</h5>
        {actions}
      </div>
      <div className="card-body">{children}</div>
    </section>
  );
}

interface BoundaryState {
  error: unknown;
}

/** A bug in this plugin shows as a message in its own panel instead of blanking Stash's page. */
export class ErrorBoundary extends React.Component<{ children?: React.ReactNode }, BoundaryState> {
  override state: BoundaryState = { error: undefined };

  static getDerivedStateFromError(error: unknown): BoundaryState {
    return { error };
  }

  override componentDidCatch(error: unknown): void {
    console.error('Stash Sense plugin error', error);
  }

  override render() {
    if (this.state.error !== undefined) {
      const message = this.state.error instanceof Error ? this.state.error.message : String(this.state.error);
      return (
        <div className="stash-sense-error alert alert-danger" role="alert">
          <strong className="stash-sense-error-title">The Stash Sense plugin hit an unexpected error</strong>
          <div className="stash-sense-error-detail">{message}</div>
          <button type="button" className="btn btn-sm btn-danger mt-2" onClick={() => this.setState({ error: undefined })}>
            Try again
          </button>
        </div>
      );
    }
    return this.props.children ?? null;
  }
}

export function percent(confidence: number): number {
  return Math.round(Math.min(Math.max(confidence, 0), 1) * 100);
}

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return '';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}
