import crypto from 'node:crypto';

/**
 * A self-contained GraphQL console (no CDN, no external assets): query,
 * variables and API key editors, a Run button, and a documentation panel built
 * from introspection so BI users can read every type's and field's description.
 * The `graphiql` npm package is not among the project's dependencies (it needs
 * React and a bundler to serve offline); this page covers the same daily use.
 */
export function graphiqlPage(endpoint: string): { html: string; contentSecurityPolicy: string } {
  const html = pageHtml(endpoint);
  // The page's one inline script is allowed by its hash; it may only talk to this origin; nobody may frame it.
  const script = /<script>([\s\S]*?)<\/script>/.exec(html)![1]!;
  const hash = crypto.createHash('sha256').update(script).digest('base64');
  const contentSecurityPolicy = [
    "default-src 'none'",
    `script-src 'sha256-${hash}'`,
    "style-src 'unsafe-inline'",
    "connect-src 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  return { html, contentSecurityPolicy };
}

function pageHtml(endpoint: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>parley GraphQL console</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{margin:0;font:14px system-ui,sans-serif;display:grid;grid-template-columns:1fr 1fr 360px;height:100vh}
header{grid-column:1/4;padding:8px 12px;background:#1d2330;color:#fff;display:flex;gap:12px;align-items:center}
header input{flex:1;font:13px monospace;padding:4px}
button{padding:6px 14px;font-weight:600;cursor:pointer}
section{display:flex;flex-direction:column;min-height:0;border-right:1px solid #ddd}
textarea,pre{flex:1;margin:0;padding:8px;font:13px/1.4 ui-monospace,monospace;border:0;resize:none;overflow:auto}
label{font-size:12px;color:#555;padding:4px 8px;background:#f4f4f4}
#docs{overflow:auto;padding:8px;font-size:13px}
#docs h3{margin:12px 0 4px}#docs .f{margin:4px 0 4px 8px}#docs .d{color:#666;margin-left:8px}
a{color:#2457c5;cursor:pointer}
</style></head><body style="grid-template-rows:auto 1fr">
<header><strong>parley</strong><span>API key</span><input id="key" placeholder="pk_… (Authorization: Bearer)" autocomplete="off"><button id="run">Run ▶</button></header>
<section><label>Query</label><textarea id="query" spellcheck="false">{
  feedbackAnalytics(range: {from: "2026-01-01T00:00:00Z", to: "2027-01-01T00:00:00Z"}, groupBy: MONTH) {
    totals { botReplies totalFeedback helpfulRate feedbackCollectionRate }
  }
}</textarea><label>Variables (JSON)</label><textarea id="variables" style="flex:0 0 80px" spellcheck="false">{}</textarea></section>
<section><label>Result</label><pre id="result"></pre></section>
<section><label>Documentation</label><div id="docs">Loading…</div></section>
<script>
const endpoint = ${JSON.stringify(endpoint)};
const $ = (id) => document.getElementById(id);
$('key').value = sessionStorage.getItem('parley-key') || '';
// Links from alerts open the console with #query=… filled in (a fragment: GET /graphql?query= is a GraphQL request).
const sharedQuery = new URLSearchParams(location.hash.slice(1)).get('query');
if (sharedQuery) $('query').value = sharedQuery;
async function call(query, variables) {
  const key = $('key').value.trim();
  sessionStorage.setItem('parley-key', key);
  const headers = { 'content-type': 'application/json' };
  if (key) headers.authorization = 'Bearer ' + key;
  const response = await fetch(endpoint, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
  return response.json();
}
$('run').onclick = async () => {
  let variables = {};
  try { variables = JSON.parse($('variables').value || '{}'); } catch (e) { $('result').textContent = 'Variables are not valid JSON: ' + e.message; return; }
  $('result').textContent = '…';
  try { $('result').textContent = JSON.stringify(await call($('query').value, variables), null, 2); }
  catch (e) { $('result').textContent = String(e); }
};
document.addEventListener('keydown', (e) => { if ((e.ctrlKey || e.metaKey) && e.key === 'Enter') $('run').click(); });
const typeName = (t) => t.kind === 'NON_NULL' ? typeName(t.ofType) + '!' : t.kind === 'LIST' ? '[' + typeName(t.ofType) + ']' : t.name;
const esc = (s) => String(s || '').replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' }[c]));
async function loadDocs() {
  const q = '{__schema{queryType{name}mutationType{name}types{name kind description fields{name description type{...T} args{name description type{...T}}} inputFields{name description type{...T}} enumValues{name description}}}} fragment T on __Type{kind name ofType{kind name ofType{kind name ofType{kind name}}}}';
  const { data, errors } = await call(q, {});
  if (!data) { $('docs').textContent = JSON.stringify(errors); return; }
  const types = data.__schema.types.filter((t) => !t.name.startsWith('__'));
  const order = ['Query', 'Mutation'];
  types.sort((a, b) => (order.indexOf(b.name) - order.indexOf(a.name)) || a.name.localeCompare(b.name));
  $('docs').innerHTML = types.map((t) => '<h3 id="t-' + t.name + '">' + t.name + '</h3><div class="d">' + esc(t.description) + '</div>' +
    (t.fields || t.inputFields || []).map((f) => '<div class="f"><b>' + f.name + '</b>' +
      (f.args && f.args.length ? '(' + f.args.map((a) => a.name + ': ' + typeName(a.type)).join(', ') + ')' : '') +
      ': ' + typeName(f.type) + '<div class="d">' + esc(f.description) + '</div></div>').join('') +
    (t.enumValues || []).map((v) => '<div class="f">' + v.name + '</div>').join('')).join('');
}
loadDocs();
</script></body></html>`;
}
