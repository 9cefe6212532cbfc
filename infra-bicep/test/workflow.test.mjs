// The CI workflow shipped for users' pipelines builds, lints and previews exactly the files here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { listFiles } from '../policy/bicep.mjs';

const ROOT = path.resolve(import.meta.dirname, '..');
const REPO = path.resolve(ROOT, '..');
const WORKFLOW = fs.readFileSync(path.join(REPO, '.github', 'workflows', 'bicep-validate.yml'), 'utf8');
const PARAM_FILES = listFiles(ROOT).filter((f) => f.endsWith('.bicepparam'));

test('the workflow compiles main.bicep and every module with az bicep build', () => {
  assert.match(WORKFLOW, /az bicep build --file infra-bicep\/main\.bicep/);
  assert.match(WORKFLOW, /for module in infra-bicep\/modules\/\*\.bicep; do\s+az bicep build --file "\$module"/);
});

test('the workflow builds every parameter file', () => {
  for (const file of PARAM_FILES) {
    assert.ok(WORKFLOW.includes(`az bicep build-params --file infra-bicep/${file}`), `build-params for ${file}`);
  }
});

test('what-if runs once per parameter file', () => {
  // GIVEN the environments of the what-if matrix
  const environments = /environment: \[([^\]]*)\]/.exec(WORKFLOW)[1].split(',').map((e) => e.trim());

  // THEN they are exactly the environments that have a main.<env>.bicepparam
  assert.deepEqual(environments.map((e) => `main.${e}.bicepparam`).sort(), PARAM_FILES);
  assert.match(WORKFLOW, /az deployment group what-if[\s\\]+--resource-group "\$\{\{ vars\.AZURE_RESOURCE_GROUP \}\}"[\s\\]+--template-file infra-bicep\/main\.bicep[\s\\]+--parameters infra-bicep\/main\.\$\{\{ matrix\.environment \}\}\.bicepparam/);
});

test('every infra-bicep path the workflow names exists', () => {
  const paths = [...WORKFLOW.matchAll(/infra-bicep\/[A-Za-z0-9_./-]+/g)].map((m) => m[0].replace(/\/$/, ''))
    .filter((p) => !p.includes('*') && !p.endsWith('main.'));
  assert.ok(paths.length >= 4);
  for (const p of paths) assert.ok(fs.existsSync(path.join(REPO, p)), `${p} exists`);
});
