// Schema check of deploy/kubernetes/*.yaml: every document is validated against the Kubernetes API schema of its
// apiVersion/kind (kubernetes-models: the OpenAPI schemas of the Kubernetes API compiled to validators), then checked
// for what SeedIM's manifests promise (docs/deployment.md). Run: npm ci && node validate.mjs [DIR]
// Exits 1 with one line per problem; prints "N passed, 0 failed" at the end.
import { readFileSync, readdirSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2).filter((a) => !a.startsWith("--"));
const dir = args[0] ?? join(here, "..");
const problems = [];
let passed = 0;

// apiVersion + kind -> the kubernetes-models class ("v1" is the core group, "apps/v1" -> apps/v1)
async function modelFor(apiVersion, kind) {
  const path = apiVersion.includes("/") ? apiVersion : `v1`;
  try {
    const mod = await import(`kubernetes-models/${path}/${kind}`);
    return mod[kind];
  } catch (e) {
    return null;
  }
}

// Kubernetes' schemas allow unknown fields (the API server drops them, or refuses them with strict field validation);
// a misspelt key is a silent mistake, so compare every key with the schema's properties as well.
async function schemaErrors(apiVersion, kind, doc) {
  const Model = await modelFor(apiVersion, kind);
  if (!Model) return [`unknown apiVersion/kind ${apiVersion}/${kind}`];
  try {
    new Model(doc).validate();
    return [];
  } catch (e) {
    const errs = e.errors ?? [{ instancePath: "", message: e.message }];
    return errs.map((x) => `${x.instancePath || "/"} ${x.message}${x.params ? " " + JSON.stringify(x.params) : ""}`);
  }
}

function load(file) {
  const text = readFileSync(join(dir, file), "utf8");
  const docs = parseAllDocuments(text);
  const out = [];
  for (const d of docs) {
    if (d.errors.length) {
      problems.push(`${file}: YAML: ${d.errors[0].message}`);
      continue;
    }
    const v = d.toJS();
    if (v !== null && v !== undefined) out.push(v);
  }
  return out;
}

// Strictness the schemas lack: known keys in the parts we write by hand (pod template, containers, probes)
const KNOWN = {
  container: ["name", "image", "imagePullPolicy", "args", "command", "env", "envFrom", "ports", "startupProbe",
    "livenessProbe", "readinessProbe", "lifecycle", "resources", "securityContext", "volumeMounts", "workingDir"],
  podSpec: ["terminationGracePeriodSeconds", "enableServiceLinks", "automountServiceAccountToken", "securityContext",
    "topologySpreadConstraints", "containers", "volumes", "affinity", "nodeSelector", "tolerations", "serviceAccountName",
    "priorityClassName", "initContainers"],
  probe: ["httpGet", "periodSeconds", "timeoutSeconds", "failureThreshold", "initialDelaySeconds", "successThreshold"],
};
function unknownKeys(obj, allowed, where) {
  return Object.keys(obj ?? {}).filter((k) => !allowed.includes(k)).map((k) => `${where}: unknown key '${k}'`);
}

// What the SeedIM workloads must have (docs/deployment.md, "What the manifests guarantee")
function seedimChecks(doc) {
  const errs = [];
  const name = doc.metadata?.name;
  const pod = doc.spec?.template?.spec ?? {};
  const labels = doc.spec?.template?.metadata?.labels ?? {};
  const sc = pod.securityContext ?? {};
  errs.push(...unknownKeys(pod, KNOWN.podSpec, `${name} pod spec`));
  if (labels.app !== "seedim") errs.push(`${name}: pods must carry app: seedim (NetworkPolicy, headless service)`);
  if (sc.runAsNonRoot !== true || !(sc.runAsUser > 0)) errs.push(`${name}: pod must run as non-root (runAsNonRoot, runAsUser)`);
  const grace = pod.terminationGracePeriodSeconds;
  const drainMs = Number(doc.metadata?.annotations?.["seedim.io/shutdown-drain-ms"] ?? NaN);
  if (!(drainMs >= 0)) errs.push(`${name}: annotation seedim.io/shutdown-drain-ms (the config's shutdownDrainMs) missing`);
  for (const c of pod.containers ?? []) {
    errs.push(...unknownKeys(c, KNOWN.container, `${name}/${c.name ?? "(unnamed)"}`));
    for (const p of ["startupProbe", "livenessProbe", "readinessProbe"]) {
      errs.push(...unknownKeys(c[p], KNOWN.probe, `${name}/${c.name} ${p}`));
    }
    const portNames = Object.fromEntries((c.ports ?? []).map((p) => [p.name, p.containerPort]));
    if (portNames.management !== 9090) errs.push(`${name}: container port 'management' must be 9090`);
    if (c.livenessProbe?.httpGet?.path !== "/health" || c.livenessProbe?.httpGet?.port !== "management") {
      errs.push(`${name}: liveness must be GET /health on the management port`);
    }
    if (c.readinessProbe?.httpGet?.path !== "/ready" || c.readinessProbe?.httpGet?.port !== "management") {
      errs.push(`${name}: readiness must be GET /ready on the management port`);
    }
    const env = Object.fromEntries((c.env ?? []).map((e) => [e.name, e.value]));
    if (env.IM_CLUSTER_HOST !== "$(POD_IP)") errs.push(`${name}: IM_CLUSTER_HOST must be $(POD_IP)`);
    if (!(c.envFrom ?? []).some((e) => e.configMapRef) || !(c.envFrom ?? []).some((e) => e.secretRef)) {
      errs.push(`${name}: environment from a ConfigMap and a Secret expected`);
    }
    const preStop = c.lifecycle?.preStop?.sleep?.seconds;
    if (!(preStop > 0)) errs.push(`${name}: preStop sleep missing`);
    const needed = (preStop ?? 0) + drainMs / 1000 + 30; // Main's stop timeout is 30 s
    if (!(grace >= needed)) errs.push(`${name}: terminationGracePeriodSeconds ${grace} < preStop ${preStop} + drain ${drainMs / 1000} + 30`);
    const csc = c.securityContext ?? {};
    if (csc.allowPrivilegeEscalation !== false || csc.readOnlyRootFilesystem !== true
      || !(csc.capabilities?.drop ?? []).includes("ALL")) {
      errs.push(`${name}: container securityContext must drop ALL, no privilege escalation, read-only root`);
    }
    if (!c.resources?.requests?.memory || !c.resources?.limits?.memory) errs.push(`${name}: memory request and limit required`);
    if (!(c.volumeMounts ?? []).some((m) => m.mountPath === "/tmp")) errs.push(`${name}: /tmp must be a writable volume`);
    if (!(c.args ?? []).includes("--roles")) errs.push(`${name}: --roles missing`);
  }
  return errs;
}

const self = process.argv.includes("--self-test");
const files = readdirSync(dir).filter((f) => f.endsWith(".yaml") || f.endsWith(".yml")).sort();
if (!files.length) problems.push(`no manifests in ${dir}`);
const seen = new Map();
for (const file of files) {
  for (const doc of load(file)) {
    const id = `${file}: ${doc.kind}/${doc.metadata?.name}`;
    const errs = await schemaErrors(doc.apiVersion, doc.kind, doc);
    if (doc.kind === "Deployment" || doc.kind === "StatefulSet") errs.push(...seedimChecks(doc));
    if (doc.metadata?.namespace !== undefined && doc.kind !== "Namespace") seen.set(`${doc.kind}/${doc.metadata.name}`, doc);
    if (errs.length) problems.push(...errs.map((e) => `${id}: ${e}`));
    else passed++;
    if (!self) console.log(`${errs.length ? "FAIL" : "ok  "} ${id}`);
  }
}

// Cross-references: every ConfigMap/Secret a workload names exists (or is documented as created by hand), every
// Deployment has a PodDisruptionBudget selecting it, the headless service publishes not-ready pods.
const CREATED_BY_HAND = new Set(["Secret/seedim-cluster-tls"]);
for (const [key, doc] of seen) {
  if (doc.kind !== "Deployment") continue;
  const pod = doc.spec.template.spec;
  const refs = [];
  for (const v of pod.volumes ?? []) {
    if (v.secret) refs.push(`Secret/${v.secret.secretName}`);
    if (v.configMap) refs.push(`ConfigMap/${v.configMap.name}`);
  }
  for (const c of pod.containers) {
    for (const e of c.envFrom ?? []) {
      if (e.secretRef) refs.push(`Secret/${e.secretRef.name}`);
      if (e.configMapRef) refs.push(`ConfigMap/${e.configMapRef.name}`);
    }
  }
  for (const r of refs) {
    if (!seen.has(r) && !CREATED_BY_HAND.has(r)) problems.push(`${key}: refers to ${r}, which no manifest defines`);
  }
  const sel = doc.spec.selector.matchLabels;
  const pdb = [...seen.values()].find((d) => d.kind === "PodDisruptionBudget"
    && Object.entries(d.spec.selector?.matchLabels ?? {}).every(([k, v]) => sel[k] === v));
  if (!pdb) problems.push(`${key}: no PodDisruptionBudget selects it`);
}
const headless = [...seen.values()].find((d) => d.kind === "Service" && d.spec.clusterIP === "None");
if (!headless || headless.spec.publishNotReadyAddresses !== true) {
  problems.push("a headless Service with publishNotReadyAddresses: true is needed for Hazelcast's DNS discovery");
} else {
  const dns = seen.get("ConfigMap/seedim-env")?.data?.IM_CLUSTER_DNS;
  const want = `${headless.metadata.name}.${headless.metadata.namespace}.svc.cluster.local`;
  if (dns !== want) problems.push(`ConfigMap/seedim-env: IM_CLUSTER_DNS is ${dns}, the headless service is ${want}`);
}
if (!seen.has("NetworkPolicy/seedim-cluster-ports")) problems.push("the NetworkPolicy seedim-cluster-ports is missing");

// Role coverage: every role of server/.../Role.java (the enum --roles parses) is run by some Deployment, so a new role
// cannot be forgotten here. Only for the manifests of this checkout (not for the --self-test folder).
const roleSource = join(here, "../../../server/src/main/java/com/seedim/im/server/Role.java");
if (!self && args[0] === undefined) {
  let enumBody = null;
  try {
    enumBody = readFileSync(roleSource, "utf8").match(/enum Role \{([^;]*);/)?.[1];
  } catch (e) {
    // not a full checkout: nothing to compare with
  }
  if (enumBody) {
    const roles = enumBody.replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/.*$/gm, "").split(",")
      .map((r) => r.trim().toLowerCase()).filter(Boolean);
    const run = new Set();
    for (const d of seen.values()) {
      if (d.kind !== "Deployment" && d.kind !== "StatefulSet") continue;
      for (const c of d.spec?.template?.spec?.containers ?? []) {
        const a = c.args ?? [];
        const i = a.indexOf("--roles");
        if (i >= 0 && a[i + 1]) for (const r of String(a[i + 1]).split(",")) run.add(r.trim().toLowerCase());
      }
    }
    const missing = run.has("all") ? [] : roles.filter((r) => !run.has(r));
    for (const r of missing) problems.push(`role '${r}' (Role.java) is run by no Deployment (--roles)`);
    if (!missing.length) passed++;
    console.log(`${missing.length ? "FAIL" : "ok  "} roles: ${roles.join(", ")} each run by a Deployment`);
  }
}

if (!self) for (const p of problems) console.error(`FAIL ${p}`);
if (self) {
  // --self-test DIR: DIR holds broken manifests; the check must find problems there
  // each deliberate mistake of broken/broken.yaml must be reported
  const expected = ["/spec/replicas must be integer", "must have required property name", "containerPort must be integer",
    "unknown key 'imagePullPolicyy'", "liveness must be GET /health", "terminationGracePeriodSeconds 5 <",
    "/spec/ports/0/port must be integer", "no PodDisruptionBudget selects it"];
  const missed = expected.filter((x) => !problems.some((p) => p.includes(x)));
  for (const m of missed) console.error(`FAIL self-test: the check did not report '${m}'`);
  console.log(`kubernetes manifest check self-test: ${expected.length - missed.length} passed, ${missed.length} failed`);
  process.exit(missed.length ? 1 : 0);
}
console.log(`kubernetes manifests: ${passed} passed, ${problems.length} failed`);
process.exit(problems.length ? 1 : 0);
