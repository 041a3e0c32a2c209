#!/usr/bin/env node
// Offline checks of the Grafana dashboard(s) in deploy/grafana: the JSON parses; a recent schemaVersion; the data
// source is the DS_PROMETHEUS variable everywhere (so the file imports and provisions into any Grafana); every panel
// has PromQL targets with an expr (brackets balanced, only defined variables); panel ids unique, within the 24-column
// grid. Whether the metric names exist is checked against real processes by
// tests/Distributed.Gateway.Tests/Deploy/DeployMetricNamesTests.cs.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promqlBalanced } from "./autoscaling.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const grafanaDir = path.resolve(here, "..", "grafana");
const minSchemaVersion = 39;
const datasource = "${DS_PROMETHEUS}";
// Grafana's own variables that exprs may use.
const builtins = new Set(["__rate_interval", "__interval", "__range", "__interval_ms", "__range_s", "__range_ms"]);

let failures = 0;
const fail = (msg) => {
  failures++;
  console.error(`  FAIL ${msg}`);
};

function allPanels(panels) {
  return (panels ?? []).flatMap((p) => [p, ...allPanels(p.panels)]);
}

function variablesIn(text) {
  return [...text.matchAll(/\$\{(\w+)(?::\w+)?\}|\$(\w+)/g)].map((m) => m[1] ?? m[2]);
}

function checkDashboard(file) {
  const name = path.relative(path.resolve(here, "../.."), file);
  const before = failures;
  let d;
  try {
    d = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    fail(`${name}: ${e.message}`);
    return;
  }
  for (const key of ["title", "uid"]) if (typeof d[key] !== "string" || d[key] === "") fail(`${name}: no ${key}`);
  if (!(d.schemaVersion >= minSchemaVersion)) fail(`${name}: schemaVersion ${d.schemaVersion} is below ${minSchemaVersion}`);

  const vars = d.templating?.list ?? [];
  const ds = vars.find((v) => v.name === "DS_PROMETHEUS");
  if (ds?.type !== "datasource" || ds.query !== "prometheus") fail(`${name}: templating needs DS_PROMETHEUS, a prometheus datasource variable`);
  const defined = new Set([...vars.map((v) => v.name), ...builtins]);
  const checkDatasource = (where, value) => {
    if (value?.type !== "prometheus" || value?.uid !== datasource) fail(`${name} ${where}: datasource must be {type: prometheus, uid: ${datasource}}`);
  };
  const checkVariables = (where, text) => {
    for (const v of variablesIn(text)) if (!defined.has(v)) fail(`${name} ${where}: variable $${v} is not defined`);
  };
  for (const v of vars.filter((x) => x.type === "query")) {
    checkDatasource(`variable ${v.name}`, v.datasource);
    const query = typeof v.query === "string" ? v.query : v.query?.query;
    if (!query || !promqlBalanced(query)) fail(`${name} variable ${v.name}: no query, or unbalanced brackets`);
    else checkVariables(`variable ${v.name}`, query);
  }

  const ids = new Set();
  let targets = 0;
  for (const p of allPanels(d.panels)) {
    const where = `panel ${p.id} "${p.title}"`;
    if (ids.has(p.id)) fail(`${name} ${where}: duplicate id`);
    ids.add(p.id);
    const g = p.gridPos;
    if (!g || g.x < 0 || g.w < 1 || g.x + g.w > 24 || !(g.h > 0) || !(g.y >= 0)) fail(`${name} ${where}: gridPos outside the 24-column grid`);
    if (p.type === "row") continue;
    checkDatasource(where, p.datasource);
    if (!Array.isArray(p.targets) || p.targets.length === 0) fail(`${name} ${where}: no targets`);
    const refIds = new Set();
    for (const t of p.targets ?? []) {
      targets++;
      if (typeof t.expr !== "string" || t.expr.trim() === "") fail(`${name} ${where} target ${t.refId}: no expr`);
      else if (!promqlBalanced(t.expr)) fail(`${name} ${where} target ${t.refId}: unbalanced brackets or quotes`);
      else checkVariables(`${where} target ${t.refId}`, t.expr);
      checkDatasource(`${where} target ${t.refId}`, t.datasource);
      if (!t.refId || refIds.has(t.refId)) fail(`${name} ${where}: missing or duplicate refId ${t.refId}`);
      refIds.add(t.refId);
    }
  }
  if (failures === before) console.log(`  ok   ${name}: ${ids.size} panels, ${targets} queries`);
}

const files = readdirSync(grafanaDir).filter((f) => f.endsWith(".json"));
if (files.length === 0) fail(`no dashboard in ${grafanaDir}`);
for (const f of files) checkDashboard(path.join(grafanaDir, f));
if (failures > 0) {
  console.error(`grafana: ${failures} failure(s)`);
  process.exit(1);
}
console.log("grafana: all dashboards valid");
