// Parses Bicep with the tree-sitter Bicep grammar (WebAssembly build shipped in the npm package
// tree-sitter-bicep, run by web-tree-sitter) and offers the few queries the policies need.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { Parser, Language } from 'web-tree-sitter';

const require = createRequire(import.meta.url);

await Parser.init();
const BICEP = await Language.load(require.resolve('tree-sitter-bicep/tree-sitter-bicep.wasm'));
const parser = new Parser();
parser.setLanguage(BICEP);

/**
 * The grammar (tree-sitter-bicep 1.1.0) knows `using` but not the untyped `param x = value` of
 * .bicepparam files. Rewriting `param` to `var  ` (same width, so positions stay true) lets the
 * value expressions be parsed by the same expression grammar.
 */
export function toParsableParams(text) {
  return text.replace(/^(\s*)param(\s+[A-Za-z_][A-Za-z0-9_]*\s*=)/gm, '$1var  $2');
}

/** Parses Bicep source text. `kind` is 'bicep' or 'bicepparam'. */
export function parse(text, file = '<inline>', kind = file.endsWith('.bicepparam') ? 'bicepparam' : 'bicep') {
  const source = kind === 'bicepparam' ? toParsableParams(text) : text;
  const tree = parser.parse(source);
  return { file, kind, text, root: tree.rootNode };
}

export function parseFile(file) {
  return parse(fs.readFileSync(file, 'utf8'), file);
}

/** Every ERROR or MISSING node, as `file:line:column: text`. */
export function syntaxErrors(parsed) {
  const errors = [];
  // MISSING nodes are often anonymous tokens such as ']', so every child is visited, not only named ones.
  const visit = (node) => {
    if (node.type === 'ERROR' || node.isMissing) {
      const where = `${parsed.file}:${node.startPosition.row + 1}:${node.startPosition.column + 1}`;
      errors.push(`${where}: ${node.isMissing ? `missing ${node.type}` : `unexpected ${JSON.stringify(node.text.slice(0, 40))}`}`);
    }
    node.children.forEach(visit);
  };
  visit(parsed.root);
  return errors;
}

export function walk(node, visit) {
  visit(node);
  for (const child of node.namedChildren) {
    walk(child, visit);
  }
}

function named(node, type) {
  return node.namedChildren.filter((c) => c.type === type);
}

/** The object a declaration assigns, looking through `if (...)` and `[for ...: ...]`. */
function bodyOf(node) {
  const value = node.namedChildren.find((c) => ['object', 'if_statement', 'for_statement'].includes(c.type));
  if (!value) return undefined;
  return value.type === 'object' ? value : bodyOf(value);
}

/** Top-level `param` declarations: name -> { type, defaultValue (node or undefined), decorators }. */
export function params(parsed) {
  const result = new Map();
  let pendingDecorators = [];
  for (const statement of parsed.root.namedChildren) {
    if (statement.type === 'decorators') {
      pendingDecorators = named(statement, 'decorator').map((d) => d.namedChildren[0]);
      continue;
    }
    if (statement.type === 'parameter_declaration') {
      const [name, type, value] = statement.namedChildren;
      result.set(name.text, { name: name.text, type: type.text, defaultValue: value, decorators: pendingDecorators });
    }
    if (statement.type !== 'comment') pendingDecorators = [];
  }
  return result;
}

/** Decorator arguments by decorator name, e.g. { minValue: 60, allowed: [...] }. */
export function decoratorValues(param) {
  const values = {};
  for (const call of param.decorators) {
    if (call.type !== 'call_expression') continue;
    const [fn, args] = call.namedChildren;
    values[fn.text] = args?.namedChildren[0] ? literal(args.namedChildren[0]) : true;
  }
  return values;
}

/** Top-level `var` declarations: name -> value node. */
export function variables(parsed) {
  const result = new Map();
  for (const decl of named(parsed.root, 'variable_declaration')) {
    const [name, value] = decl.namedChildren;
    result.set(name.text, value);
  }
  return result;
}

/** `output` declarations: [{ name, type, value }]. */
export function outputs(parsed) {
  return named(parsed.root, 'output_declaration').map((decl) => {
    const [name, type, value] = decl.namedChildren;
    return { name: name.text, type: type.text, value };
  });
}

/** `module` declarations: [{ symbol, path, body }]. */
export function modules(parsed) {
  return named(parsed.root, 'module_declaration').map((decl) => ({
    symbol: decl.namedChildren[0].text,
    path: stringValue(decl.namedChildren[1]),
    body: bodyOf(decl),
  }));
}

/**
 * Every resource declaration, nested ones included, with its full type:
 * [{ symbol, type, apiVersion, existing, body, file }].
 */
export function resources(parsed) {
  const found = [];
  const visit = (decl, parentType) => {
    const [symbol, typeNode] = decl.namedChildren;
    const [declaredType, apiVersion] = stringValue(typeNode).split('@');
    const type = parentType && !declaredType.includes('/') ? `${parentType}/${declaredType}` : declaredType;
    const body = bodyOf(decl);
    found.push({ symbol: symbol.text, type, apiVersion, existing: decl.children.some((c) => c.type === 'existing'), body, file: parsed.file });
    if (body) {
      for (const property of named(body, 'object_property')) {
        const nested = property.namedChildren.find((c) => c.type === 'resource_declaration');
        if (nested) visit(nested, type);
      }
    }
  };
  named(parsed.root, 'resource_declaration').forEach((decl) => visit(decl));
  return found;
}

/** Resources of one type that the file creates (not `existing` references). */
export function created(parsed, type) {
  return resources(parsed).filter((r) => r.type === type && !r.existing);
}

/** The value node at a dotted path of object keys, e.g. 'properties.siteConfig.minTlsVersion'. */
export function get(objectNode, dottedPath) {
  let node = objectNode;
  for (const key of dottedPath.split('.')) {
    if (!node || node.type !== 'object') return undefined;
    const property = named(node, 'object_property').find((p) => keyOf(p) === key);
    node = property ? property.namedChildren.filter((c) => c.type !== 'comment')[1] : undefined;
  }
  return node;
}

/** Like {@link get}, but for keys containing dots such as 'odata.type'. */
export function getKey(objectNode, key) {
  const property = objectNode && named(objectNode, 'object_property').find((p) => keyOf(p) === key);
  return property ? property.namedChildren.filter((c) => c.type !== 'comment')[1] : undefined;
}

function keyOf(property) {
  const key = property.namedChildren[0];
  return key.type === 'string' ? stringValue(key) : key.text;
}

/** The elements of an array node (comments skipped). */
export function elements(arrayNode) {
  return arrayNode && arrayNode.type === 'array' ? arrayNode.namedChildren.filter((c) => c.type !== 'comment') : [];
}

const ESCAPES = { "\\'": "'", '\\\\': '\\', '\\n': '\n', '\\r': '\r', '\\t': '\t', '\\$': '$' };

/** A string's value with interpolations kept as `${expression}`. */
export function stringValue(node) {
  if (!node || node.type !== 'string') return undefined;
  return node.namedChildren.map((part) => {
    if (part.type === 'interpolation') return '${' + part.namedChildren.map((c) => c.text).join('') + '}';
    if (part.type === 'escape_sequence') return ESCAPES[part.text] ?? part.text;
    return part.text;
  }).join('');
}

/**
 * The JavaScript value of a literal (string without interpolation, number, boolean, null, or
 * arrays and objects of those); undefined for anything computed.
 */
export function literal(node) {
  if (!node) return undefined;
  switch (node.type) {
    case 'string': {
      const value = stringValue(node);
      return node.namedChildren.some((c) => c.type === 'interpolation') ? undefined : value;
    }
    case 'number': return Number(node.text);
    case 'boolean': return node.text === 'true';
    case 'null': return null;
    case 'unary_expression': return node.text.startsWith('-') ? -literal(node.namedChildren[0]) : undefined;
    case 'array': return elements(node).map(literal);
    case 'object': {
      const value = {};
      for (const property of named(node, 'object_property')) value[keyOf(property)] = literal(property.namedChildren[1]);
      return value;
    }
    default: return undefined;
  }
}

/** Names of every function called in the file (e.g. 'listKeys', 'guid'). */
export function calledFunctions(parsed) {
  const names = [];
  walk(parsed.root, (node) => {
    if (node.type === 'call_expression') names.push(node.namedChildren[0].text);
  });
  return names;
}

/** main.bicep, its modules and the parameter files of a directory, parsed. */
export function loadProject(dir, overrides = {}) {
  const read = (rel) => overrides[rel] ?? fs.readFileSync(path.join(dir, rel), 'utf8');
  const files = listFiles(dir);
  const parsedFiles = new Map(files.map((rel) => [rel, parse(read(rel), rel)]));
  return {
    dir,
    files: parsedFiles,
    main: parsedFiles.get('main.bicep'),
    /** The parsed module file a module declaration of `from` points at. */
    moduleFile(from, modulePath) {
      return parsedFiles.get(path.posix.normalize(path.posix.join(path.posix.dirname(from.file), modulePath)));
    },
    bicepFiles: [...parsedFiles.values()].filter((p) => p.kind === 'bicep'),
    paramFiles: [...parsedFiles.values()].filter((p) => p.kind === 'bicepparam'),
  };
}

/** Every .bicep and .bicepparam file under dir (node_modules excluded), as posix relative paths. */
export function listFiles(dir) {
  const found = [];
  const visit = (rel) => {
    for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory() && !['node_modules', 'target', 'test', 'policy'].includes(entry.name)) visit(child);
      else if (/\.bicep(param)?$/.test(entry.name)) found.push(child);
    }
  };
  visit('');
  return found.sort();
}
