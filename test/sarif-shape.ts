// The parts of the SARIF 2.1.0 JSON schema (sarif-schema-2.1.0.json, OASIS) that a log agentpkg writes uses,
// encoded by hand (tests never download the schema): required properties, types, enums and minimums of
// sarifLog, run, tool, toolComponent, reportingDescriptor, reportingConfiguration, multiformatMessageString,
// result, message, location, physicalLocation, artifactLocation, region, logicalLocation and propertyBag,
// plus what GitHub code scanning needs on top (a ruleId, message.text, a file and a start line per result).
// `sarifProblems(doc)` lists every violation; an empty list means the log has the required structure.

type Json = unknown;
const isObj = (v: Json): v is Record<string, Json> => typeof v === "object" && v !== null && !Array.isArray(v);
const LEVELS = ["none", "note", "warning", "error"];
const KINDS = ["notApplicable", "pass", "fail", "review", "open", "informational"];

/** A URI reference as RFC 3986 allows it: no spaces, controls or characters that must be percent-encoded. */
const URI_REFERENCE = /^(?:[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*$/;

export function sarifProblems(doc: Json): string[] {
  const out: string[] = [];
  const need = (cond: boolean, where: string, what: string) => {
    if (!cond) out.push(`${where}: ${what}`);
  };
  const obj = (v: Json, where: string, required: string[]): v is Record<string, Json> => {
    if (!isObj(v)) {
      out.push(`${where}: must be an object`);
      return false;
    }
    for (const k of required) need(Object.hasOwn(v, k), where, `requires "${k}"`);
    return true;
  };
  const str = (v: Json, where: string) => need(v === undefined || typeof v === "string", where, "must be a string");
  const message = (v: Json, where: string, needText: boolean) => {
    if (!obj(v, where, needText ? ["text"] : [])) return;
    need(typeof v.text === "string" || typeof v.id === "string", where, "requires text or id");
    str(v.text, `${where}.text`);
  };
  const properties = (v: Json, where: string) => {
    if (v === undefined) return;
    if (!obj(v, where, [])) return;
    if (v.tags !== undefined) {
      need(Array.isArray(v.tags) && v.tags.every((t) => typeof t === "string"), `${where}.tags`, "must be a list of strings");
      need(Array.isArray(v.tags) && new Set(v.tags).size === v.tags.length, `${where}.tags`, "must be unique");
    }
  };

  if (!obj(doc, "sarifLog", ["version", "runs"])) return out;
  need(doc.version === "2.1.0", "sarifLog.version", 'must be "2.1.0"');
  need(doc.$schema === undefined || (typeof doc.$schema === "string" && /^https?:\/\/\S+$/.test(doc.$schema)), "sarifLog.$schema", "must be a URI");
  need(Array.isArray(doc.runs), "sarifLog.runs", "must be an array");
  (Array.isArray(doc.runs) ? doc.runs : []).forEach((run, r) => {
    const at = `runs[${r}]`;
    if (!obj(run, at, ["tool"])) return;
    if (obj(run.tool, `${at}.tool`, ["driver"]) && obj(run.tool.driver, `${at}.tool.driver`, ["name"])) {
      const d = run.tool.driver;
      str(d.name, `${at}.tool.driver.name`);
      str(d.version, `${at}.tool.driver.version`);
      need(d.informationUri === undefined || (typeof d.informationUri === "string" && /^[a-z][a-z0-9+.-]*:\S+$/i.test(d.informationUri)), `${at}.tool.driver.informationUri`, "must be an absolute URI");
      const rules = d.rules;
      need(rules === undefined || Array.isArray(rules), `${at}.tool.driver.rules`, "must be an array");
      const ids = (Array.isArray(rules) ? rules : []).map((rule, i) => {
        const w = `${at}.tool.driver.rules[${i}]`;
        if (!obj(rule, w, ["id"])) return undefined;
        str(rule.id, `${w}.id`);
        if (rule.shortDescription !== undefined) message(rule.shortDescription, `${w}.shortDescription`, true);
        if (rule.fullDescription !== undefined) message(rule.fullDescription, `${w}.fullDescription`, true);
        if (rule.help !== undefined) message(rule.help, `${w}.help`, true);
        if (rule.defaultConfiguration !== undefined && obj(rule.defaultConfiguration, `${w}.defaultConfiguration`, [])) {
          const level = rule.defaultConfiguration.level;
          need(level === undefined || LEVELS.includes(level as string), `${w}.defaultConfiguration.level`, `must be one of ${LEVELS.join(", ")}`);
        }
        properties(rule.properties, `${w}.properties`);
        return rule.id;
      });
      need(new Set(ids).size === ids.length, `${at}.tool.driver.rules`, "ids must be unique");
      if (run.results !== undefined) need(Array.isArray(run.results), `${at}.results`, "must be an array");
      (Array.isArray(run.results) ? run.results : []).forEach((res, i) => {
        const w = `${at}.results[${i}]`;
        // GitHub code scanning: ruleId, message.text and a location with a file and a line on every result
        if (!obj(res, w, ["message", "ruleId", "locations"])) return;
        message(res.message, `${w}.message`, true);
        str(res.ruleId, `${w}.ruleId`);
        need(res.level === undefined || LEVELS.includes(res.level as string), `${w}.level`, `must be one of ${LEVELS.join(", ")}`);
        need(res.kind === undefined || KINDS.includes(res.kind as string), `${w}.kind`, `must be one of ${KINDS.join(", ")}`);
        if (res.ruleIndex !== undefined) {
          need(Number.isInteger(res.ruleIndex) && (res.ruleIndex as number) >= -1, `${w}.ruleIndex`, "must be an integer >= -1");
          need(Array.isArray(rules) && isObj(rules[res.ruleIndex as number]) && (rules[res.ruleIndex as number] as Record<string, Json>).id === res.ruleId, `${w}.ruleIndex`, "must point at the rule with ruleId");
        }
        need(Array.isArray(res.locations) && res.locations.length > 0, `${w}.locations`, "must be a non-empty array");
        (Array.isArray(res.locations) ? res.locations : []).forEach((loc, j) => {
          const l = `${w}.locations[${j}]`;
          if (!obj(loc, l, ["physicalLocation"])) return;
          const pl = loc.physicalLocation;
          if (!obj(pl, `${l}.physicalLocation`, ["artifactLocation"])) return;
          if (obj(pl.artifactLocation, `${l}.physicalLocation.artifactLocation`, ["uri"])) {
            const uri = pl.artifactLocation.uri;
            need(typeof uri === "string" && uri.length > 0 && URI_REFERENCE.test(uri), `${l}.physicalLocation.artifactLocation.uri`, "must be a URI reference");
          }
          if (obj(pl.region, `${l}.physicalLocation.region`, ["startLine"])) {
            need(Number.isInteger(pl.region.startLine) && (pl.region.startLine as number) >= 1, `${l}.physicalLocation.region.startLine`, "must be an integer >= 1");
          }
          if (loc.logicalLocations !== undefined) {
            need(Array.isArray(loc.logicalLocations), `${l}.logicalLocations`, "must be an array");
            (Array.isArray(loc.logicalLocations) ? loc.logicalLocations : []).forEach((ll, k) => {
              if (!obj(ll, `${l}.logicalLocations[${k}]`, [])) return;
              str(ll.name, `${l}.logicalLocations[${k}].name`);
              str(ll.kind, `${l}.logicalLocations[${k}].kind`);
            });
          }
        });
        properties(res.properties, `${w}.properties`);
      });
    }
  });
  return out;
}
