// A tiny XML reader/writer for the domain definitions this driver writes (elements, attributes, text;
// no DTDs, namespaces kept as part of the name). Enough to read libvirt.xml back after a restart.
export interface XmlNode {
  name: string;
  attrs: Record<string, string>;
  children: XmlNode[];
  text: string;
}

const escapes: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" };
export const escapeXml = (s: string) => s.replace(/[&<>"']/g, (c) => escapes[c] as string);
const unescapeXml = (s: string) =>
  s.replace(/&(amp|lt|gt|quot|apos);/g, (_, e: string) => ({ amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" })[e] as string);

export function el(name: string, attrs: Record<string, string | number | undefined> = {}, ...children: Array<XmlNode | string>): XmlNode {
  const a: Record<string, string> = {};
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) a[k] = String(v);
  const nodes = children.filter((c): c is XmlNode => typeof c !== "string");
  const text = children.filter((c): c is string => typeof c === "string").join("");
  return { name, attrs: a, children: nodes, text };
}

export function renderXml(node: XmlNode, indent = ""): string {
  const attrs = Object.entries(node.attrs)
    .map(([k, v]) => ` ${k}="${escapeXml(v)}"`)
    .join("");
  if (!node.children.length && !node.text) return `${indent}<${node.name}${attrs}/>\n`;
  if (!node.children.length) return `${indent}<${node.name}${attrs}>${escapeXml(node.text)}</${node.name}>\n`;
  return `${indent}<${node.name}${attrs}>\n${node.children.map((c) => renderXml(c, `${indent}  `)).join("")}${indent}</${node.name}>\n`;
}

export function parseXml(src: string): XmlNode {
  const root: XmlNode = { name: "#document", attrs: {}, children: [], text: "" };
  const stack: XmlNode[] = [root];
  const re = /<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<(\/?)([\w:.-]+)((?:\s+[\w:.-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>|([^<]+)/g;
  for (let m = re.exec(src); m; m = re.exec(src)) {
    const [whole, closing, name, attrText, selfClose, text] = m;
    const top = stack[stack.length - 1] as XmlNode;
    if (text !== undefined) {
      if (text.trim()) top.text += unescapeXml(text.trim());
      continue;
    }
    if (!name) {
      if (whole.startsWith("<!--") || whole.startsWith("<?")) continue;
      throw new Error(`malformed XML near '${whole.slice(0, 40)}'`);
    }
    if (closing) {
      if (top.name !== name) throw new Error(`XML: </${name}> closes <${top.name}>`);
      stack.pop();
      continue;
    }
    const attrs: Record<string, string> = {};
    for (const a of (attrText ?? "").matchAll(/([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g))
      attrs[a[1] as string] = unescapeXml(a[2] ?? a[3] ?? "");
    const node: XmlNode = { name, attrs, children: [], text: "" };
    top.children.push(node);
    if (!selfClose) stack.push(node);
  }
  if (stack.length !== 1) throw new Error(`XML: <${stack[stack.length - 1]?.name}> is not closed`);
  const doc = root.children[0];
  if (!doc) throw new Error("XML: no root element");
  return doc;
}

export const child = (n: XmlNode | undefined, name: string) => n?.children.find((c) => c.name === name);
export const children = (n: XmlNode | undefined, name: string) => n?.children.filter((c) => c.name === name) ?? [];
