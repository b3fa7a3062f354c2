#!/usr/bin/env bash
# Re-vendors the workbench's editor: CodeMirror 6 with the SPARQL mode of @codemirror/legacy-modes,
# bundled by esbuild into one minified script (src/serve/assets/codemirror.js) with the licences of
# every bundled package (src/serve/assets/codemirror.LICENSE.txt). The versions are pinned here;
# change one, run this script, and commit both files: a user's build has no npm step, the binary
# compiles the committed files in (include_str!) and the page needs no network.
set -euo pipefail
cd "$(dirname "$0")/.."
out=src/serve/assets
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat > "$work/package.json" <<'JSON'
{ "name": "kg-workbench-editor", "private": true, "version": "0.0.0",
  "dependencies": {
    "codemirror": "6.0.2",
    "@codemirror/view": "6.44.2",
    "@codemirror/state": "6.7.6",
    "@codemirror/language": "6.13.1",
    "@codemirror/legacy-modes": "6.5.5",
    "@codemirror/autocomplete": "6.20.4",
    "@codemirror/lint": "6.9.8",
    "@codemirror/commands": "6.11.2",
    "esbuild": "0.28.2" } }
JSON
cat > "$work/entry.js" <<'JS'
// What the workbench uses, as one global `CM`.
export { EditorView, basicSetup } from "codemirror";
export { keymap } from "@codemirror/view";
export { EditorState } from "@codemirror/state";
export { StreamLanguage } from "@codemirror/language";
export { sparql } from "@codemirror/legacy-modes/mode/sparql";
export { autocompletion } from "@codemirror/autocomplete";
export { setDiagnostics } from "@codemirror/lint";
JS
(cd "$work" && npm install --silent --no-audit --no-fund >/dev/null)
"$work/node_modules/.bin/esbuild" "$work/entry.js" --bundle --minify --format=iife \
  --global-name=CM --legal-comments=none --target=es2020 --outfile="$out/codemirror.js"
{
  echo "The workbench editor bundles these npm packages (versions pinned in scripts/vendor-editor.sh)."
  for pkg in $(cd "$work/node_modules" && ls -d @codemirror/* @lezer/* codemirror style-mod w3c-keyname crelt @marijn/* 2>/dev/null | sort); do
    dir="$work/node_modules/$pkg"
    [ -f "$dir/package.json" ] || continue
    version=$(node -p "require('$dir/package.json').version")
    echo; echo "==== $pkg $version ===="
    cat "$dir"/LICENSE* 2>/dev/null || node -p "require('$dir/package.json').license"
  done
} > "$out/codemirror.LICENSE.txt"
echo "vendored $(wc -c < "$out/codemirror.js") bytes into $out/codemirror.js" >&2
