// Autoscaling checks beyond the schemas: KEDA ScaledObjects (target, replica bounds, fallback, Prometheus trigger
// metadata), one autoscaler per workload, and HPA custom metrics that the Prometheus Adapter's rules actually serve.
import { readFileSync } from "node:fs";
import YAML from "yaml";
import { findWorkload, id } from "./k8s-objects.mjs";

// The Prometheus scaler's metadata keys (KEDA docs, 2.17); the trigger's metadata is a free string map in the CRD,
// so a misspelt key would otherwise be ignored by KEDA without a word.
const prometheusKeys = new Set([
  "serverAddress", "query", "queryParameters", "threshold", "activationThreshold", "namespace", "customHeaders",
  "ignoreNullValues", "unsafeSsl", "timeout", "authModes", "awsRegion",
]);
const prometheusRequired = ["serverAddress", "query", "threshold"];

/** Rough PromQL sanity: brackets and quotes balance (a real parse needs Prometheus). */
export function promqlBalanced(query) {
  const stack = [];
  const pairs = { ")": "(", "]": "[", "}": "{" };
  for (let i = 0; i < query.length; i++) {
    const ch = query[i];
    if (ch === '"' || ch === "'" || ch === "`") {
      const end = query.indexOf(ch, i + 1);
      if (end < 0) return false;
      i = end;
    } else if ("([{".includes(ch)) stack.push(ch);
    else if (ch in pairs && stack.pop() !== pairs[ch]) return false;
  }
  return stack.length === 0;
}

function checkPrometheusTrigger(trigger, where) {
  const errors = [];
  const md = trigger.metadata ?? {};
  for (const key of Object.keys(md)) if (!prometheusKeys.has(key)) errors.push(`${where}: unknown prometheus metadata '${key}'`);
  for (const key of prometheusRequired) if (!md[key]) errors.push(`${where}: prometheus metadata '${key}' is required`);
  for (const key of ["threshold", "activationThreshold"]) {
    if (md[key] !== undefined && !(Number(md[key]) >= 0 && md[key].trim() !== "")) errors.push(`${where}: ${key} '${md[key]}' is no number`);
  }
  if (md.threshold !== undefined && Number(md.threshold) === 0) errors.push(`${where}: threshold must be above 0`);
  if (md.serverAddress && !/^https?:\/\/[^/\s]+/.test(md.serverAddress)) errors.push(`${where}: serverAddress '${md.serverAddress}' is no http(s) URL`);
  if (md.query && !promqlBalanced(md.query)) errors.push(`${where}: query has unbalanced brackets or quotes`);
  return errors;
}

function checkScaledObject(objects, so) {
  const errors = [];
  const ns = so.metadata.namespace;
  const spec = so.spec;
  const ref = spec.scaleTargetRef;
  const target = findWorkload(objects, ref, ns);
  if ((ref.apiVersion ?? "apps/v1") !== "apps/v1" || !target) errors.push(`${id(so)}: scaleTargetRef ${ref.kind ?? "Deployment"}/${ref.name} does not exist`);
  else if (target.spec.replicas !== undefined) errors.push(`${id(so)}: ${id(target)} sets replicas, which fights the autoscaler`);
  const min = spec.minReplicaCount ?? 0;
  const max = spec.maxReplicaCount ?? 100;
  if (min > max) errors.push(`${id(so)}: minReplicaCount ${min} is above maxReplicaCount ${max}`);
  if (spec.fallback) {
    if (spec.fallback.replicas < min || spec.fallback.replicas > max) errors.push(`${id(so)}: fallback.replicas ${spec.fallback.replicas} is outside ${min}..${max}`);
    for (const t of spec.triggers) {
      if (!["AverageValue", "Value"].includes(t.metricType ?? "AverageValue") || ["cpu", "memory"].includes(t.type)) {
        errors.push(`${id(so)}: fallback needs AverageValue or Value triggers (not ${t.type}/${t.metricType})`);
      }
    }
  }
  spec.triggers.forEach((t, i) => {
    const where = `${id(so)} triggers[${i}]`;
    if (t.type !== "prometheus") errors.push(`${where}: only prometheus triggers are checked by this validator (found '${t.type}')`);
    else errors.push(...checkPrometheusTrigger(t, where));
    const auth = t.authenticationRef;
    if (auth && !objects.some((o) => o.kind === (auth.kind ?? "TriggerAuthentication") && o.metadata?.name === auth.name
      && (o.kind === "ClusterTriggerAuthentication" || o.metadata?.namespace === ns))) {
      errors.push(`${where}: authenticationRef ${auth.kind ?? "TriggerAuthentication"}/${auth.name} does not exist`);
    }
  });
  return errors;
}

/**
 * The Prometheus Adapter's config.yaml (in a ConfigMap): every rule well-formed, with the metric name each exposes.
 * Returns { errors, metrics: Map(name -> { resources: Set of Kubernetes resources it maps labels to }) }.
 */
export function checkAdapterConfig(configMap, where) {
  const errors = [];
  const metrics = new Map();
  const text = configMap.data?.["config.yaml"];
  if (typeof text !== "string") return { errors: [`${where}: no data.config.yaml`], metrics };
  let config;
  try {
    config = YAML.parse(text, { version: "1.1", uniqueKeys: true });
  } catch (e) {
    return { errors: [`${where}: config.yaml: ${e.message}`], metrics };
  }
  for (const key of Object.keys(config ?? {})) {
    if (!["rules", "externalRules", "resourceRules"].includes(key)) errors.push(`${where}: unknown config key '${key}'`);
  }
  (config?.rules ?? []).forEach((rule, i) => {
    const at = `${where} rules[${i}]`;
    for (const key of Object.keys(rule)) {
      if (!["seriesQuery", "seriesFilters", "resources", "name", "metricsQuery"].includes(key)) errors.push(`${at}: unknown key '${key}'`);
    }
    const series = /^\s*([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(rule.seriesQuery ?? "")?.[1];
    if (!series) {
      errors.push(`${at}: seriesQuery must start with a metric name`);
      return;
    }
    if (!promqlBalanced(rule.seriesQuery) || !promqlBalanced(rule.metricsQuery ?? "")) errors.push(`${at}: unbalanced brackets or quotes`);
    if (!(rule.metricsQuery ?? "").includes("<<.Series>>")) errors.push(`${at}: metricsQuery does not use <<.Series>>`);
    const matches = new RegExp(rule.name?.matches ?? "^(.*)$");
    if (!matches.test(series)) errors.push(`${at}: name.matches ${matches} does not match ${series}`);
    // The adapter's default for a missing `as`: the first capture group, or the whole match without groups.
    const hasGroups = new RegExp(`${matches.source}|`).exec("").length > 1;
    const as = rule.name?.as ?? (hasGroups ? "$1" : "$&");
    const exposed = series.replace(matches, as.replace(/\$\{(\d+)\}/g, "$$$1"));
    const resources = new Set(Object.values(rule.resources?.overrides ?? {}).map((r) => r.resource));
    for (const [label, r] of Object.entries(rule.resources?.overrides ?? {})) {
      if (!rule.seriesQuery.includes(label)) errors.push(`${at}: resource label '${label}' (${r.resource}) is not required by seriesQuery`);
    }
    metrics.set(exposed, { resources });
  });
  return { errors, metrics };
}

/** ScaledObjects, one autoscaler per workload, and HPA custom metrics served by `adapterMetrics`. */
export function checkAutoscaling(objects, adapterMetrics) {
  const errors = [];
  const owners = new Map();
  for (const a of objects.filter((o) => ["HorizontalPodAutoscaler", "ScaledObject"].includes(o.kind))) {
    const ref = a.spec.scaleTargetRef;
    const key = `${a.metadata.namespace}/${ref.kind ?? "Deployment"}/${ref.name}`;
    if (owners.has(key)) errors.push(`${id(a)} and ${owners.get(key)} both scale ${key}: they would fight`);
    owners.set(key, id(a));
  }
  for (const so of objects.filter((o) => o.kind === "ScaledObject")) errors.push(...checkScaledObject(objects, so));
  for (const hpa of objects.filter((o) => o.kind === "HorizontalPodAutoscaler")) {
    for (const m of hpa.spec.metrics ?? []) {
      if (m.type !== "Pods" && m.type !== "Object") continue;
      const name = m[m.type === "Pods" ? "pods" : "object"].metric.name;
      const served = adapterMetrics.get(name);
      if (!served) errors.push(`${id(hpa)}: custom metric ${name} is served by no Prometheus Adapter rule`);
      else if (m.type === "Pods" && !(served.resources.has("pod") && served.resources.has("namespace"))) {
        errors.push(`${id(hpa)}: the adapter rule for ${name} must map namespace and pod labels`);
      }
    }
  }
  return errors;
}

/** Loads the adapter's ConfigMap file (one document). */
export function loadAdapterConfigMap(file) {
  return YAML.parse(readFileSync(file, "utf8"), { version: "1.1", uniqueKeys: true });
}
