#!/usr/bin/env bash
# Re-vendors the workbench's editor: CodeMirror 6 with the SPARQL mode of @codemirror/legacy-modes,
# bundled by esbuild into one minified script (src/serve/assets/codemirror.js) with the licences of
# every bundled package (src/serve/assets/codemirror.LICENSE.txt). The direct versions are pinned in
# scripts/editor/package.json and every indirect one in its package-lock.json; to change one, edit
# package.json, run `npm install --package-lock-only` in scripts/editor, run this script, and commit
# the four files: a user's build has no npm step, the binary compiles the committed files in
# (include_str!) and the page needs no network.
set -euo pipefail
cd "$(dirname "$0")/.."
out=src/serve/assets
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp scripts/editor/package.json scripts/editor/package-lock.json "$work/"
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
# `npm ci`: exactly the lock file's versions, indirect dependencies included, or an error.
(cd "$work" && npm ci --silent --no-audit --no-fund >/dev/null)
"$work/node_modules/.bin/esbuild" "$work/entry.js" --bundle --minify --format=iife \
  --global-name=CM --legal-comments=none --target=es2020 --outfile="$out/codemirror.js"
{
  echo "The workbench editor bundles these npm packages (versions locked in scripts/editor/package-lock.json)."
  for pkg in $(cd "$work/node_modules" && ls -d @codemirror/* @lezer/* codemirror style-mod w3c-keyname crelt @marijn/* 2>/dev/null | sort); do
    dir="$work/node_modules/$pkg"
    [ -f "$dir/package.json" ] || continue
    version=$(node -p "require('$dir/package.json').version")
    echo; echo "==== $pkg $version ===="
    cat "$dir"/LICENSE* 2>/dev/null || node -p "require('$dir/package.json').license"
  done
} > "$out/codemirror.LICENSE.txt"
echo "vendored $(wc -c < "$out/codemirror.js") bytes into $out/codemirror.js" >&2
