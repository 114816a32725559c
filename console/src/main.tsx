// The console's shell: sign-in, the navigation of the signed-in credential's views, and the hash router.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { CATALOG_VIEWS, type CatalogRoute } from './catalog.ts';
import { Problem } from './components.tsx';
import { CredentialContext } from './hooks.ts';
import { href, navigate, useRoute, type Route } from './route.ts';
import { clearCredential, describe, loadCredential, saveCredential, type Credential } from './session.ts';
import { CatalogList } from './views/catalog-list.tsx';
import { Faults } from './views/faults.tsx';
import { JobView } from './views/job.tsx';
import { Jobs } from './views/jobs.tsx';
import { Journal } from './views/journal.tsx';
import { ResourceDetail } from './views/resource.tsx';
import { Server } from './views/server.tsx';
import { SignIn } from './views/sign-in.tsx';

const ACCOUNT_VIEWS: [string, string][] = [['items', 'Items'], ['variants', 'Variants'], ['categories', 'Categories'], ['jobs', 'Jobs'], ['journal', 'Journal'], ['faults', 'Faults']];
const ADMIN_VIEWS: [string, string][] = [['server', 'Server']];
const HOME = { key: 'items', admin: 'server' };

function View({ route, credential, onUse }: { route: Route; credential: Credential; onUse: (c: Credential) => void }) {
  const [first, second, third] = route.parts;
  const allowed = (credential.kind === 'key' ? ACCOUNT_VIEWS : ADMIN_VIEWS).some(([name]) => name === first);
  if (!allowed) {
    const other = credential.kind === 'key' ? 'the admin token' : 'an account API key';
    return <Problem error={new Error(`This view needs ${other}: sign out and sign in with it.`)} />;
  }
  if (first in CATALOG_VIEWS) {
    const view = CATALOG_VIEWS[first as CatalogRoute];
    return second ? <ResourceDetail key={second} view={view} id={second} /> : <CatalogList view={view} query={route.query} />;
  }
  switch (first) {
    case 'jobs':
      return second && third ? <JobView key={third} type={second} id={third} /> : <Jobs query={route.query} />;
    case 'journal':
      return <Journal query={route.query} />;
    case 'faults':
      return <Faults />;
    default:
      return <Server onUse={onUse} />;
  }
}

function App() {
  const [credential, setCredential] = useState(loadCredential);
  const route = useRoute();
  const path = route.parts.join('/');

  const signIn = (c: Credential) => {
    saveCredential(c);
    setCredential(c);
    navigate([HOME[c.kind]]);
  };
  const signOut = () => {
    clearCredential();
    setCredential(null);
    navigate([]);
  };

  // A signed-in user at the bare address goes to the first view of the credential.
  useEffect(() => {
    if (credential && route.parts.length === 0) navigate([HOME[credential.kind]]);
  }, [credential, path]);
  // After navigating, the new view's heading takes the focus, so that screen readers announce it.
  useEffect(() => {
    document.getElementById('view-title')?.focus({ preventScroll: true });
  }, [path]);

  const views = credential?.kind === 'admin' ? ADMIN_VIEWS : ACCOUNT_VIEWS;
  return (
    <>
      <a class="skip" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById('main')?.focus(); }}>Skip to content</a>
      <header>
        <p class="brand"><a href={href([])}>Catalog console</a></p>
        {credential && (
          <>
            <nav aria-label="Views">
              <ul>
                {views.map(([name, label]) => (
                  <li><a href={href([name])} aria-current={route.parts[0] === name ? 'page' : undefined}>{label}</a></li>
                ))}
              </ul>
            </nav>
            <p class="who">
              <span>{describe(credential)}</span>{' '}
              <button type="button" onClick={signOut}>Sign out</button>
            </p>
          </>
        )}
      </header>
      <main id="main" tabIndex={-1}>
        {credential ? (
          <CredentialContext.Provider value={credential}>
            {route.parts.length > 0 && <View route={route} credential={credential} onUse={signIn} />}
          </CredentialContext.Provider>
        ) : <SignIn onSignedIn={signIn} />}
      </main>
    </>
  );
}

const root = document.getElementById('app')!;
root.textContent = ''; // the page's "Loading" placeholder
render(<App />, root);
