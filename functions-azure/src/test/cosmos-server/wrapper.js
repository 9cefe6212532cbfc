#!/usr/bin/env node
"use strict";
/*
 * Sluice's compatibility wrapper around @vercel/cosmosdb-server 1.0.1, for the Cosmos DB Java SDK in
 * gateway mode. It runs the server's own account model and routes in this process and closes the gaps
 * the Java SDK hits:
 *   1. query-plan requests (x-ms-cosmos-is-query-plan-request) get a pass-through plan over the one range;
 *   2. queries and read-feeds honour the x-ms-documentdb-partitionkey header;
 *   3. reading a missing item answers 404, not 500;
 *   4. transactional batches take the partition key from the header, support Patch, roll back on the
 *      first failure and answer 200 / 207 with 424 for the other operations;
 *   5. item TTL (ttl, collection defaultTtl) expires items; POST /_sluice/clock {"advanceSeconds": n}
 *      moves the server's TTL clock forward so tests need not sleep.
 *
 * Usage: node wrapper.js [--port 0] [--host 127.0.0.1] [--no-tls]
 * Prints "SLUICE-COSMOS-READY <endpoint>" once listening; exits when stdin closes (its parent died).
 */
const http = require("http");
const https = require("https");
const fs = require("fs");
const path = require("path");
const crypto = require("crypto");
const { Readable } = require("stream");

const serverRoot = path.dirname(require.resolve("@vercel/cosmosdb-server/package.json"));
const Account = require("@vercel/cosmosdb-server/lib/account").default;
const routes = require("@vercel/cosmosdb-server/lib/routes").default;
const documentOperations = require("@vercel/cosmosdb-server/lib/handler/_document-operations");
const { patchOperation } = require("@vercel/cosmosdb-server/lib/handler/_patch-operations");
const { parsePartitionKey } = require("@vercel/cosmosdb-server/lib/utils/get-partition-from-header");
const pathMatch = require("@vercel/cosmosdb-server/lib/path-match").default;

const args = { port: 0, host: "127.0.0.1", tls: true };
for (let i = 2; i < process.argv.length; i += 1) {
  const a = process.argv[i];
  if (a === "--port") args.port = parseInt(process.argv[(i += 1)], 10);
  else if (a === "--host") args.host = process.argv[(i += 1)];
  else if (a === "--no-tls") args.tls = false;
}

let clockOffsetMs = 0;
const nowSeconds = () => (Date.now() + clockOffsetMs) / 1000;

const DOCS = pathMatch("/dbs/:dbId/colls/:collId/docs");
const DOC = pathMatch("/dbs/:dbId/colls/:collId/docs/:docId");

function isTrue(req, name) {
  const v = req.headers[name];
  return typeof v === "string" && v.toLowerCase() === "true";
}

function normalisedPath(url) {
  let pathname = new URL(url, "http://x").pathname;
  if (pathname.startsWith("//")) pathname = pathname.slice(1);
  while (pathname.length > 1 && pathname.endsWith("/")) pathname = pathname.slice(0, -1);
  return decodeURIComponent(pathname);
}

function collectionOf(account, dbId, collId) {
  const db = account.database(dbId);
  if (!db.read()) return null;
  const coll = db.collection(collId);
  return coll.read() ? coll : null;
}

// ---- TTL -------------------------------------------------------------------------------------------
function effectiveTtl(collData, doc) {
  const def = collData.defaultTtl;
  if (def === undefined || def === null) return null; // TTL off for the container
  const ttl = typeof doc.ttl === "number" ? doc.ttl : def;
  return ttl > 0 ? ttl : null; // -1: never expires
}

function isExpired(collData, doc) {
  const ttl = effectiveTtl(collData, doc);
  return ttl !== null && doc._ts + ttl <= nowSeconds();
}

// _ts and ttl are whole seconds, so items only expire when the clock crosses a second: sweep once per
// second rather than walking every item on every request (that made large test runs quadratic)
let lastSweptSecond = null;
function sweepExpiredOncePerSecond(account) {
  const second = Math.floor(nowSeconds());
  if (second === lastSweptSecond) return;
  lastSweptSecond = second;
  sweepExpired(account);
}

function sweepExpired(account) {
  for (const dbItem of account.databases._data.values()) {
    if (!dbItem.collections) continue;
    for (const coll of dbItem.collections._data.values()) {
      const collData = coll.read();
      if (!collData || collData.defaultTtl === undefined || collData.defaultTtl === null) continue;
      const docs = coll.documents;
      for (const item of [...docs._data.values()]) {
        const doc = item.read();
        if (doc && isExpired(collData, doc)) docs.delete(doc.id, docs._getPartition(doc));
      }
    }
  }
}

// ---- partition keys --------------------------------------------------------------------------------
function headerPartitionKey(req) {
  const raw = req.headers["x-ms-documentdb-partitionkey"];
  if (!raw || raw === "[{}]" || raw === "[]") return undefined;
  try {
    const parsed = JSON.parse(raw);
    return Array.isArray(parsed) ? parsed[0] : parsed;
  } catch (e) {
    return undefined;
  }
}

function documentsIn(coll, req) {
  const pk = headerPartitionKey(req);
  const docs = coll.documents;
  return [...docs._data.values()]
    .map(item => item.read())
    .filter(doc => pk === undefined || docs._getPartition(doc) === pk);
}

// ---- queries, read-feeds, query plans ----------------------------------------------------------------
const QUERY_PLAN = {
  partitionedQueryExecutionInfoVersion: 2,
  queryInfo: {
    distinctType: "None",
    top: null,
    offset: null,
    limit: null,
    orderBy: [],
    orderByExpressions: [],
    groupByExpressions: [],
    groupByAliases: [],
    aggregates: [],
    groupByAliasToAggregateType: {},
    rewrittenQuery: "",
    hasSelectValue: false,
    dCountInfo: null,
    hasNonStreamingOrderBy: false
  },
  // one physical partition: the server evaluates the whole query, so a pass-through plan is exact
  queryRanges: [{ min: "", max: "FF", isMinInclusive: true, isMaxInclusive: false }]
};

function pageOf(req, res, result) {
  if (result.continuation) res.setHeader("x-ms-continuation", JSON.stringify(result.continuation));
  res.setHeader("x-ms-item-count", String(result.result.length));
  return { Documents: result.result, _count: result.result.length };
}

function pagingOptions(req) {
  const maxItemCount = req.headers["x-ms-max-item-count"] ? parseInt(req.headers["x-ms-max-item-count"], 10) : null;
  let continuation = null;
  if (req.headers["x-ms-continuation"]) {
    try {
      continuation = JSON.parse(req.headers["x-ms-continuation"]);
    } catch (e) {
      continuation = null;
    }
  }
  return { maxItemCount: maxItemCount > 0 ? maxItemCount : null, continuation };
}

function query(coll, req, res, body) {
  const params = JSON.parse(body.toString() || "{}");
  if (!params.query) {
    res.statusCode = 400;
    return { code: "BadRequest", message: "missing query" };
  }
  const docs = coll.documents;
  try {
    const result = docs._getQuery(params.query).exec(documentsIn(coll, req), {
      parameters: params.parameters,
      udf: docs._userDefinedFunctions(),
      ...pagingOptions(req),
      compositeIndexes: ((coll.read().indexingPolicy || {}).compositeIndexes) || []
    });
    return pageOf(req, res, result);
  } catch (err) {
    res.statusCode = 400;
    return { code: "BadRequest", message: err.message };
  }
}

function readFeed(coll, req, res) {
  const result = coll.documents._getQuery("SELECT * FROM c").exec(documentsIn(coll, req), pagingOptions(req));
  return pageOf(req, res, result);
}

function readDocument(coll, req, res, docId) {
  const pk = headerPartitionKey(req);
  const doc = coll.document(docId, pk === undefined ? docId : pk).read();
  if (!doc) {
    res.statusCode = 404;
    res.setHeader("x-ms-substatus", "0");
    return { code: "NotFound", message: "Entity with the specified id does not exist in the system." };
  }
  res.statusCode = 200;
  return doc;
}

// ---- transactional batch -----------------------------------------------------------------------------
function snapshot(coll, id, pk) {
  const doc = coll.document(id, pk === undefined ? id : pk).read();
  return doc ? JSON.parse(JSON.stringify(doc)) : null;
}

function restore(coll, id, pk, before) {
  const docs = coll.documents;
  const current = coll.document(id, pk === undefined ? id : pk).read();
  if (current) docs.delete(current.id, docs._getPartition(current));
  if (before) docs._set(before); // the old _etag and _rid come back with it
}

function batchOperation(coll, op, headerPk) {
  const input = { ...op };
  if (input.partitionKey === undefined && headerPk !== undefined) input.partitionKey = JSON.stringify([headerPk]);
  const id = input.id || (input.resourceBody && input.resourceBody.id);
  switch (input.operationType) {
    case "Create":
      return documentOperations.createOperation(coll, input);
    case "Upsert":
      return documentOperations.upsertOperation(coll, input);
    case "Read":
      return documentOperations.readOperation(coll, { ...input, id });
    case "Delete":
      return documentOperations.deleteOperation(coll, { ...input, id });
    case "Replace":
      return documentOperations.replaceOperation(coll, input);
    case "Patch": {
      const body = input.resourceBody || {};
      return patchOperation(coll, {
        id,
        partitionKey: input.partitionKey,
        ifMatch: input.ifMatch,
        operations: Array.isArray(body) ? body : body.operations || [],
        condition: Array.isArray(body) ? undefined : body.condition
      });
    }
    default:
      return { statusCode: 400, body: { message: `Operation type '${input.operationType}' is not supported in Batch.` } };
  }
}

function batch(coll, req, res, body) {
  const ops = JSON.parse(body.toString() || "null");
  if (!Array.isArray(ops)) {
    res.statusCode = 400;
    return { code: "BadRequest", message: "Invalid request body" };
  }
  const headerPk = headerPartitionKey(req);
  const atomic = isTrue(req, "x-ms-cosmos-batch-atomic") || !isTrue(req, "x-ms-cosmos-batch-continue-on-error");
  const undo = [];
  const results = [];
  let failedAt = -1;
  for (let i = 0; i < ops.length; i += 1) {
    const op = ops[i] || {};
    const id = op.id || (op.resourceBody && op.resourceBody.id);
    const before = snapshot(coll, id, headerPk);
    let result;
    try {
      result = batchOperation(coll, op, headerPk);
    } catch (err) {
      result = { statusCode: 400, body: { message: err.message } };
    }
    if (result.statusCode >= 400) {
      failedAt = i;
      results.push({ statusCode: result.statusCode, subStatusCode: 0, requestCharge: 1 });
      if (atomic) break;
      continue;
    }
    if (op.operationType !== "Read") undo.push({ id, before });
    const entry = { statusCode: result.statusCode, requestCharge: 1 };
    if (result.body && result.body._etag) entry.eTag = result.body._etag;
    if (result.body && result.statusCode !== 204) entry.resourceBody = result.body;
    results.push(entry);
  }
  if (failedAt >= 0 && atomic) {
    for (let i = undo.length - 1; i >= 0; i -= 1) restore(coll, undo[i].id, headerPk, undo[i].before);
    res.statusCode = 207;
    return ops.map((op, i) => (i === failedAt
      ? results[i]
      : { statusCode: 424, subStatusCode: 0, requestCharge: 0 }));
  }
  res.statusCode = 200;
  return results;
}

// ---- request handling -----------------------------------------------------------------------------
function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on("data", c => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function replayable(req, body) {
  const copy = Readable.from([body]);
  copy.headers = req.headers;
  copy.method = req.method;
  copy.url = req.url;
  return copy;
}

async function route(account, req, res, body) {
  const pathname = normalisedPath(req.url);
  if (pathname === "/_sluice/clock" && req.method === "POST") {
    const { advanceSeconds = 0 } = JSON.parse(body.toString() || "{}");
    clockOffsetMs += advanceSeconds * 1000;
    return { offsetSeconds: clockOffsetMs / 1000 };
  }
  sweepExpiredOncePerSecond(account);
  const docs = DOCS(pathname);
  const doc = DOC(pathname);
  const isQuery = req.method === "POST"
    && (isTrue(req, "x-ms-documentdb-isquery") || (req.headers["content-type"] || "").startsWith("application/query+json"));
  if (docs && req.method === "POST" && isTrue(req, "x-ms-cosmos-is-query-plan-request")) {
    return QUERY_PLAN;
  }
  if (docs || doc) {
    const p = docs || doc;
    const coll = collectionOf(account, p.dbId, p.collId);
    if (!coll) {
      res.statusCode = 404;
      return { code: "NotFound", message: "Resource Not Found" };
    }
    if (docs && isQuery) return query(coll, req, res, body);
    if (docs && req.method === "GET") return readFeed(coll, req, res);
    if (docs && req.method === "POST" && isTrue(req, "x-ms-cosmos-is-batch-request")) return batch(coll, req, res, body);
    if (doc && req.method === "GET") return readDocument(coll, req, res, doc.docId);
  }
  const matched = routes(req);
  if (!matched) {
    res.statusCode = 400;
    return { message: "no route" };
  }
  const [params, handler] = matched;
  return handler(account, replayable(req, body), res, params);
}

function handle(account, req, res) {
  (async () => {
    const body = await readBody(req);
    let out;
    try {
      out = await route(account, req, res, body);
    } catch (err) {
      console.error(err);
      res.statusCode = 500;
      out = { code: "InternalServerError", message: err.message };
    }
    if (out === undefined || out === null) out = {};
    if (res.statusCode > 399 && out && !out.message) out.message = "";
    if (out && out._etag) res.setHeader("etag", out._etag);
    res.setHeader("content-type", "application/json");
    res.setHeader("x-ms-activity-id", crypto.randomUUID());
    res.setHeader("x-ms-request-charge", "1");
    if (req.headers["a-im"] && res.statusCode === 200) {
      if (req.headers["if-none-match"]) res.statusCode = 304;
      res.setHeader("etag", "1");
    }
    res.end(res.statusCode === 304 || res.statusCode === 204 ? undefined : JSON.stringify(out));
  })().catch(err => {
    console.error(err);
    if (!res.writableEnded) {
      res.statusCode = 500;
      res.end("");
    }
  });
}

let account;
const onRequest = (req, res) => handle(account, req, res);
const server = args.tls
  ? https.createServer({
    cert: fs.readFileSync(path.join(serverRoot, "cert.pem")),
    key: fs.readFileSync(path.join(serverRoot, "key.pem"))
  }, onRequest)
  : http.createServer(onRequest);
server.keepAliveTimeout = 60000;

server.listen(args.port, args.host, () => {
  const { port } = server.address();
  account = new Account(args.host, port);
  const scheme = args.tls ? "https" : "http";
  const endpoint = `${scheme}://${args.host}:${port}/`;
  const data = account.read();
  data.writableLocations[0].databaseAccountEndpoint = endpoint;
  data.readableLocations[0].databaseAccountEndpoint = endpoint;
  process.stdout.write(`SLUICE-COSMOS-READY ${endpoint}\n`);
});

process.stdin.on("end", () => process.exit(0));
process.stdin.on("error", () => process.exit(0));
process.stdin.resume();
process.on("SIGTERM", () => process.exit(0));
