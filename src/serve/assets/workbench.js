// kg workbench: the editor (CodeMirror 6, vendored as the global CM), kg's completion through
// /api/complete, saved queries, history in localStorage, results as a table with prefixed names
// and labels linking to entity pages, downloads in every format, errors marked where they are,
// and a cancel button that stops the query on the server. Plain JavaScript, no build step.
"use strict";

const $ = (id) => document.getElementById(id);
const HISTORY = "kg.history";
let running = null;

async function kgComplete(context) {
  const text = context.state.doc.toString();
  const body = new URLSearchParams({ text, cursor: String(context.pos) });
  let answer;
  try {
    const r = await fetch("/api/complete", { method: "POST", body });
    answer = await r.json();
  } catch (e) {
    return null;
  }
  if (!answer.options || answer.options.length === 0) return null;
  return {
    from: answer.from,
    options: answer.options.map((o) => ({ label: o.label, apply: o.apply })),
    filter: false,
  };
}

const editor = new CM.EditorView({
  parent: $("editor"),
  doc: localStorage.getItem("kg.current") || "SELECT ?s ?p ?o WHERE {\n  ?s ?p ?o\n}\nLIMIT 20\n",
  extensions: [
    CM.basicSetup,
    CM.StreamLanguage.define(CM.sparql),
    CM.autocompletion({ override: [kgComplete], activateOnTyping: true }),
    CM.keymap.of([{ key: "Mod-Enter", run: () => { run(); return true; } }]),
    CM.EditorView.updateListener.of((u) => {
      if (u.docChanged) localStorage.setItem("kg.current", u.state.doc.toString());
    }),
  ],
});
window.kgEditor = editor;

function setText(text) {
  editor.dispatch({ changes: { from: 0, to: editor.state.doc.length, insert: text } });
  editor.focus();
}

async function loadSaved() {
  try {
    const list = await (await fetch("/api/queries")).json();
    for (const q of list) {
      const o = document.createElement("option");
      o.value = q.text;
      o.textContent = q.name + (q.question ? " — " + q.question : "");
      $("saved").appendChild(o);
    }
  } catch (e) { /* the menu stays empty */ }
}

function history() {
  try { return JSON.parse(localStorage.getItem(HISTORY) || "[]"); } catch (e) { return []; }
}

function showHistory() {
  const select = $("history");
  select.length = 1;
  for (const q of history()) {
    const o = document.createElement("option");
    o.value = q;
    o.textContent = q.replace(/\s+/g, " ").slice(0, 80);
    select.appendChild(o);
  }
}

function remember(query) {
  const list = history().filter((q) => q !== query);
  list.unshift(query);
  localStorage.setItem(HISTORY, JSON.stringify(list.slice(0, 50)));
  showHistory();
}

const FORMATS = {
  solutions: ["json", "xml", "csv", "tsv", "table"],
  graph: ["turtle", "ntriples", "nquads", "trig", "rdfxml", "jsonld"],
};

function downloads(query, kind) {
  const box = $("downloads");
  box.textContent = "Download: ";
  for (const f of FORMATS[kind]) {
    const a = document.createElement("a");
    const params = new URLSearchParams({ query, format: f, download: "true" });
    if (!$("inference").checked) params.set("inference", "false");
    a.href = "/sparql?" + params.toString();
    a.textContent = f;
    box.appendChild(a);
  }
  box.hidden = false;
}

function markError(message, location) {
  $("error").textContent = message;
  $("error").hidden = false;
  if (!location) return;
  const [line, column] = location.split(":").map(Number);
  const doc = editor.state.doc;
  if (!(line >= 1 && line <= doc.lines)) return;
  const l = doc.line(line);
  // The character the error points at; past the end of the line (a missing token), the last one.
  let from = Math.min(l.from + Math.max(column - 1, 0), l.to);
  if (from === l.to && l.to > l.from) from = l.to - 1;
  const to = Math.min(from + 1, doc.length);
  editor.dispatch(CM.setDiagnostics(editor.state, [
    { from, to, severity: "error", message: message.split("\n")[0] },
  ]));
}

async function terms(iris) {
  if (iris.length === 0) return {};
  try {
    const r = await fetch("/api/terms", { method: "POST", body: iris.slice(0, 5000).join("\n") });
    return await r.json();
  } catch (e) { return {}; }
}

function cell(term, names) {
  const td = document.createElement("td");
  if (!term) return td;
  if (term.type === "uri") {
    const a = document.createElement("a");
    a.href = "/resource?iri=" + encodeURIComponent(term.value);
    const known = names[term.value] || {};
    a.textContent = known.name || "<" + term.value + ">";
    a.title = term.value;
    td.appendChild(a);
    if (known.label) {
      const s = document.createElement("span");
      s.className = "label";
      s.textContent = known.label;
      td.appendChild(s);
    }
  } else if (term.type === "bnode") {
    td.className = "blank";
    td.textContent = "_:" + term.value;
  } else {
    td.textContent = term.value;
    const tag = term["xml:lang"] ? "@" + term["xml:lang"] : "";
    if (tag) {
      const s = document.createElement("span");
      s.className = "lang";
      s.textContent = " " + tag;
      td.appendChild(s);
    }
  }
  return td;
}

// JSON-LD (expanded, as kg writes a graph answer) as subject / predicate / object rows.
function graphRows(doc) {
  const rows = [];
  const term = (v) => v["@id"] !== undefined
    ? (v["@id"].startsWith("_:") ? { type: "bnode", value: v["@id"].slice(2) } : { type: "uri", value: v["@id"] })
    : { type: "literal", value: String(v["@value"]), "xml:lang": v["@language"] };
  for (const node of Array.isArray(doc) ? doc : (doc["@graph"] || [doc])) {
    const s = term({ "@id": node["@id"] });
    for (const [p, values] of Object.entries(node)) {
      if (p.startsWith("@") && p !== "@type") continue;
      for (const v of values) {
        const predicate = p === "@type" ? "http://www.w3.org/1999/02/22-rdf-syntax-ns#type" : p;
        rows.push({ s, p: { type: "uri", value: predicate }, o: p === "@type" ? { type: "uri", value: v } : term(v) });
      }
    }
  }
  return { vars: ["s", "p", "o"], rows };
}

async function showTable(vars, rows) {
  const iris = new Set();
  for (const row of rows.slice(0, 1000)) for (const v of vars) if (row[v] && row[v].type === "uri") iris.add(row[v].value);
  const names = await terms([...iris]);
  const table = document.createElement("table");
  const head = table.createTHead().insertRow();
  for (const v of vars) {
    const th = document.createElement("th");
    th.textContent = "?" + v;
    head.appendChild(th);
  }
  const body = table.createTBody();
  for (const row of rows.slice(0, 1000)) {
    const tr = body.insertRow();
    for (const v of vars) tr.appendChild(cell(row[v], names));
  }
  $("results").replaceChildren(table);
}

async function run() {
  if (running) return;
  const query = editor.state.doc.toString();
  const id = Math.random().toString(36).slice(2);
  const controller = new AbortController();
  running = { id, controller };
  $("run").disabled = true;
  $("cancel").disabled = false;
  $("error").hidden = true;
  $("downloads").hidden = true;
  editor.dispatch(CM.setDiagnostics(editor.state, []));
  $("status").textContent = "running…";
  const start = performance.now();
  const params = new URLSearchParams({ query, id });
  if (!$("inference").checked) params.set("inference", "false");
  remember(query);
  try {
    const r = await fetch("/sparql", {
      method: "POST",
      body: params,
      headers: { Accept: "application/sparql-results+json" },
      signal: controller.signal,
    });
    const text = await r.text();
    const ms = (performance.now() - start).toFixed(1);
    if (!r.ok) {
      $("status").textContent = `failed (${r.status}) after ${ms} ms`;
      markError(text, r.headers.get("kg-error-location"));
      $("results").replaceChildren();
      return;
    }
    const answer = JSON.parse(text);
    let vars, rows, kind = "solutions";
    if (answer.boolean !== undefined) {
      vars = ["answer"]; rows = [{ answer: { type: "literal", value: String(answer.boolean) } }];
    } else if (answer.head) {
      vars = answer.head.vars; rows = answer.results.bindings;
    } else {
      ({ vars, rows } = graphRows(answer)); kind = "graph";
    }
    const noun = rows.length === 1 ? "row" : "rows";
    $("status").textContent = `${rows.length} ${noun} in ${ms} ms` + (rows.length > 1000 ? " (first 1000 shown)" : "");
    downloads(query, kind);
    await showTable(vars, rows);
  } catch (e) {
    $("status").textContent = controller.signal.aborted ? "cancelled" : "failed: " + e;
  } finally {
    running = null;
    $("run").disabled = false;
    $("cancel").disabled = true;
  }
}

async function cancel() {
  if (!running) return;
  const { id, controller } = running;
  try { await fetch("/api/cancel?id=" + encodeURIComponent(id), { method: "POST" }); } catch (e) { /* the abort below also stops it */ }
  controller.abort();
}

$("run").addEventListener("click", run);
$("cancel").addEventListener("click", cancel);
$("saved").addEventListener("change", (e) => { if (e.target.value) setText(e.target.value); e.target.value = ""; });
$("history").addEventListener("change", (e) => { if (e.target.value) setText(e.target.value); e.target.value = ""; });
loadSaved();
showHistory();
