// Scrape checks: Prometheus Operator ServiceMonitors and PodMonitors select existing Services/pods and name ports they
// have, and prometheus.io annotations point at a container port. A pod scraped both ways would have every series twice.
import { containersOf, id, labelsMatch, workloadKinds } from "./k8s-objects.mjs";

function namespacesOf(monitor) {
  const sel = monitor.spec.namespaceSelector;
  if (sel?.any) return null;
  return sel?.matchNames ?? [monitor.metadata.namespace];
}

function selected(monitor, candidates, labelsOf) {
  const namespaces = namespacesOf(monitor);
  return candidates.filter((o) => (namespaces === null || namespaces.includes(o.metadata.namespace)) && labelsMatch(monitor.spec.selector?.matchLabels, labelsOf(o)));
}

function checkSelector(monitor) {
  const s = monitor.spec.selector ?? {};
  if (s.matchExpressions) return [`${id(monitor)}: selector.matchExpressions is not checked by this validator; use matchLabels`];
  if (!s.matchLabels || Object.keys(s.matchLabels).length === 0) return [`${id(monitor)}: an empty selector would scrape everything`];
  return [];
}

function checkPath(endpoint, where) {
  return endpoint.path !== undefined && !endpoint.path.startsWith("/") ? [`${where}: path '${endpoint.path}' must start with /`] : [];
}

export function checkMonitors(objects) {
  const errors = [];
  const services = objects.filter((o) => o.kind === "Service");
  const workloads = objects.filter((o) => workloadKinds.includes(o.kind));
  const podLabels = (w) => w.spec.template.metadata?.labels;
  const scrapedByMonitor = new Set();

  for (const sm of objects.filter((o) => o.kind === "ServiceMonitor")) {
    errors.push(...checkSelector(sm));
    const hits = selected(sm, services, (s) => s.metadata.labels);
    if (hits.length === 0) errors.push(`${id(sm)}: selector matches no Service`);
    sm.spec.endpoints.forEach((e, i) => {
      const where = `${id(sm)} endpoints[${i}]`;
      if (!e.port) errors.push(`${where}: name the Service port (port), so the scrape follows the port's name`);
      for (const s of hits) if (e.port && !(s.spec.ports ?? []).some((p) => p.name === e.port)) errors.push(`${where}: ${id(s)} has no port named '${e.port}'`);
      errors.push(...checkPath(e, where));
    });
    for (const s of hits) {
      for (const w of workloads) if (w.metadata.namespace === s.metadata.namespace && labelsMatch(s.spec.selector, podLabels(w))) scrapedByMonitor.add(w);
    }
  }

  for (const pm of objects.filter((o) => o.kind === "PodMonitor")) {
    errors.push(...checkSelector(pm));
    const hits = selected(pm, workloads, podLabels);
    if (hits.length === 0) errors.push(`${id(pm)}: selector matches no workload's pods`);
    (pm.spec.podMetricsEndpoints ?? []).forEach((e, i) => {
      const where = `${id(pm)} podMetricsEndpoints[${i}]`;
      if (!e.port) errors.push(`${where}: name the container port (port)`);
      for (const w of hits) {
        if (e.port && !containersOf(w).some((c) => (c.ports ?? []).some((p) => p.name === e.port))) errors.push(`${where}: ${id(w)} has no container port named '${e.port}'`);
      }
      errors.push(...checkPath(e, where));
    });
    for (const w of hits) scrapedByMonitor.add(w);
  }

  for (const w of workloads) {
    const a = w.spec.template.metadata?.annotations ?? {};
    if (a["prometheus.io/scrape"] !== "true") continue;
    const port = Number(a["prometheus.io/port"]);
    if (!containersOf(w).some((c) => (c.ports ?? []).some((p) => p.containerPort === port))) errors.push(`${id(w)}: prometheus.io/port '${a["prometheus.io/port"]}' is no container port`);
    if (a["prometheus.io/path"] !== undefined && !a["prometheus.io/path"].startsWith("/")) errors.push(`${id(w)}: prometheus.io/path must start with /`);
    if (scrapedByMonitor.has(w)) errors.push(`${id(w)}: scraped by a monitor and by prometheus.io/scrape annotations (every series twice)`);
  }
  return errors;
}
