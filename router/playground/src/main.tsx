import { createGraphiQLFetcher } from '@graphiql/toolkit';
import { GraphiQL } from 'graphiql';
import { parse, print } from 'graphql';
import { StrictMode, useEffect, useMemo, useState } from 'react';
import { createRoot } from 'react-dom/client';

/** The URLs of Monaco's web workers, bundled beside this file; `build.ts` defines them. */
declare const PLAYGROUND_WORKERS: { editor: string; json: string; graphql: string };

// Monaco runs its language services in web workers. GraphiQL's own setups load them from a
// CDN or expect Vite or webpack; these are built by esbuild and served by the router.
window.MonacoEnvironment = {
  getWorker: (_workerId, label) =>
    new Worker(
      label === 'json' || label === 'graphql'
        ? PLAYGROUND_WORKERS[label]
        : PLAYGROUND_WORKERS.editor,
    ),
};

const tokenKey = 'baedal:playground:token';
const endpoint = `${location.origin}/graphql`;
// Subscriptions go over graphql-ws on the same endpoint.
const subscriptionEndpoint = endpoint.replace(/^http/, 'ws');

const defaultQuery = `# Baedal's supergraph. Set a bearer token above to act as someone.
# Run with Ctrl-Enter; the docs are in the sidebar.

{
  stores(near: { lat: 37.4979, lng: 127.0276 }) {
    edges {
      distanceKm
      node { id name }
    }
  }
}
`;

/** Accepts a bare token or a pasted `Bearer <token>`. */
const cleanToken = (value: string) => value.trim().replace(/^Bearer\s+/i, '');

/** Links carry operations on one line; laid out, they read better (comments are dropped). */
function layOut(text: string | null, format: (text: string) => string): string | undefined {
  if (text === null) return undefined;
  try {
    return format(text);
  } catch {
    return text; // Not valid: shown as given, where GraphiQL points at the error.
  }
}

/**
 * `?query=`, `?variables=` and `?token=` open the page with an operation (links, tests). A token
 * from the URL is kept like a typed one, and taken out of the address bar so that it does not
 * stay in the history or in a copied link.
 */
function readUrl() {
  const url = new URL(location.href);
  const token = url.searchParams.get('token');
  if (token !== null) {
    localStorage.setItem(tokenKey, cleanToken(token));
    url.searchParams.delete('token');
    history.replaceState(history.state, '', url);
  }
  return {
    query: layOut(url.searchParams.get('query'), (query) => print(parse(query))),
    variables: layOut(url.searchParams.get('variables'), (json) =>
      JSON.stringify(JSON.parse(json), null, 2),
    ),
    token: localStorage.getItem(tokenKey) ?? '',
  };
}

function Playground({ initial }: { initial: ReturnType<typeof readUrl> }) {
  const [input, setInput] = useState(initial.token);
  const token = cleanToken(input);

  useEffect(() => {
    if (token) localStorage.setItem(tokenKey, token);
    else localStorage.removeItem(tokenKey);
  }, [token]);

  // A new fetcher per token: GraphiQL reloads the schema with it, and each subscription opens
  // its websocket with the connection parameters of the fetcher that started it.
  const fetcher = useMemo(() => {
    const authorization = token ? `Bearer ${token}` : undefined;
    return createGraphiQLFetcher({
      url: endpoint,
      subscriptionUrl: subscriptionEndpoint,
      headers: authorization ? { Authorization: authorization } : {},
      wsConnectionParams: authorization ? { authorization } : {},
    });
  }, [token]);

  return (
    <div className="playground">
      <form className="token-bar" onSubmit={(event) => event.preventDefault()}>
        <label htmlFor="token">Bearer token</label>
        <input
          id="token"
          value={input}
          onChange={(event) => setInput(event.target.value)}
          placeholder="none: anonymous"
          spellCheck={false}
          autoComplete="off"
        />
        <code>npm run -s token -- CUSTOMER customer-1</code>
      </form>
      <GraphiQL
        fetcher={fetcher}
        defaultQuery={defaultQuery}
        initialQuery={initial.query}
        initialVariables={initial.variables}
      />
    </div>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <Playground initial={readUrl()} />
  </StrictMode>,
);
