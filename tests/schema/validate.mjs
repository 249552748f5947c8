// tests/schema/validate.mjs: validate a JSON document against the official schema of its kind.
//
//   node tests/schema/validate.mjs KIND FILE [FILE...]
//   KIND: cyclonedx  (schema chosen by the document's specVersion: 1.4, 1.5, 1.6 or 1.7)
//         spdx       (SPDX 2.3: both the v2.3 tag schema, draft-07, and the 2.3.1 support
//                     branch schema, draft 2019-09)
//         sarif      (SARIF 2.1.0, draft-04)
//
// The schemas are the unchanged official copies in $VOUCH_SHARED/vectors/schemas (default:
// ../shared beside the repository). JSON Schema cannot say everything the specifications
// require, so a few rules from the specifications' text are checked as well and reported the
// same way (each says which clause it comes from):
//   cyclonedx: every bom-ref is unique; every dependency ref / dependsOn names a bom-ref of
//              the document (CycloneDX 1.6 "dependencies": refs "must" be bom-refs).
//   spdx:      SPDX identifiers match SPDXRef-[A-Za-z0-9.-]+ (SPDX 2.3 clause 3.2) and are
//              unique; relationships name elements of the document; SHA1 / SHA256 checksum
//              values are 40 / 64 lower-case hex digits (clause 7.10, 8.4); "created" is
//              YYYY-MM-DDThh:mm:ssZ (clause 6.9); every file has a SHA1 (clause 8.4).
// Prints "valid: FILE" or the errors, one per line; exits 0 when every file is valid, 1 when
// one is not, 2 on a usage error or when a schema cannot be loaded.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv from 'ajv';
import Ajv2019 from 'ajv/dist/2019.js';
import AjvDraft04 from 'ajv-draft-04';
import addFormats from 'ajv-formats';

const here = path.dirname(fileURLToPath(import.meta.url));
const shared = process.env.VOUCH_SHARED || path.join(here, '..', '..', '..', 'shared');
const schemaDir = path.join(shared, 'vectors', 'schemas');

function usage(msg) {
	if (msg) {
		console.error(`validate: ${msg}`);
	}
	console.error('usage: node validate.mjs cyclonedx|spdx|sarif FILE...');
	process.exit(2);
}

function loadJson(file) {
	return JSON.parse(fs.readFileSync(file, 'utf8'));
}

function schema(rel) {
	const p = path.join(schemaDir, rel);
	if (!fs.existsSync(p)) {
		console.error(`validate: schema ${p} not found (set VOUCH_SHARED)`);
		process.exit(2);
	}
	return loadJson(p);
}

// One compiled validator per (kind, version); strict mode off because the official schemas
// use keywords ajv's strict mode rejects (e.g. "meta:enum", "deprecated" in draft-07).
function newAjv(Cls) {
	const ajv = new Cls({ strict: false, allErrors: true, validateFormats: true });
	addFormats(ajv);
	// Formats the schemas use that ajv-formats does not define (RFC 3987 IRIs, RFC 6531
	// addresses): checked loosely (no white space or control characters; one '@' between
	// non-empty parts) rather than ignored with a warning.
	ajv.addFormat('iri-reference', /^[^\s\u0000-\u001f\u007f]*$/u);
	ajv.addFormat('iri', /^[A-Za-z][A-Za-z0-9+.-]*:[^\s\u0000-\u001f\u007f]*$/u);
	ajv.addFormat('idn-email', /^[^\s@]+@[^\s@]+$/u);
	return ajv;
}

function cyclonedxValidators(doc) {
	const v = typeof doc.specVersion === 'string' ? doc.specVersion : '';
	if (!['1.4', '1.5', '1.6', '1.7'].includes(v)) {
		return { err: `specVersion ${JSON.stringify(doc.specVersion)} is not 1.4-1.7` };
	}
	const ajv = newAjv(Ajv);
	ajv.addSchema(schema('cyclonedx/spdx.schema.json'));
	ajv.addSchema(schema('cyclonedx/jsf-0.82.schema.json'));
	if (v === '1.7') {
		ajv.addSchema(schema('cyclonedx/cryptography-defs.schema.json'));
	}
	return { list: [[`bom-${v}`, ajv.compile(schema(`cyclonedx/bom-${v}.schema.json`))]] };
}

function spdxValidators() {
	return {
		list: [
			['spdx-2.3', newAjv(Ajv).compile(schema('spdx/spdx-schema-v2.3.json'))],
			['spdx-2.3.1', newAjv(Ajv2019).compile(schema('spdx/spdx-schema-v2.3.1-support-branch.json'))],
		],
	};
}

function sarifValidators() {
	return { list: [['sarif-2.1.0', newAjv(AjvDraft04).compile(schema('sarif/sarif-schema-2.1.0.json'))]] };
}

// ---- rules from the specifications' text -------------------------------------------------

function cyclonedxRules(doc) {
	const errs = [];
	const refs = new Set();
	const stack = [];
	const push = (arr, where) => {
		if (Array.isArray(arr)) {
			arr.forEach((c, i) => stack.push([c, `${where}[${i}]`]));
		}
	};
	if (doc.metadata && doc.metadata.component) {
		stack.push([doc.metadata.component, '/metadata/component']);
	}
	push(doc.components, '/components');
	push(doc.services, '/services');
	while (stack.length > 0) {
		const [c, where] = stack.pop();
		if (c === null || typeof c !== 'object') {
			continue;
		}
		if (typeof c['bom-ref'] === 'string') {
			if (refs.has(c['bom-ref'])) {
				errs.push(`${where}: bom-ref ${JSON.stringify(c['bom-ref'])} is not unique`);
			}
			refs.add(c['bom-ref']);
		}
		push(c.components, `${where}/components`);
	}
	(Array.isArray(doc.dependencies) ? doc.dependencies : []).forEach((d, i) => {
		if (!refs.has(d.ref)) {
			errs.push(`/dependencies[${i}]: ref ${JSON.stringify(d.ref)} names no bom-ref`);
		}
		(Array.isArray(d.dependsOn) ? d.dependsOn : []).forEach((r) => {
			if (!refs.has(r)) {
				errs.push(`/dependencies[${i}]: dependsOn ${JSON.stringify(r)} names no bom-ref`);
			}
		});
	});
	return errs;
}

const spdxId = /^SPDXRef-[A-Za-z0-9.-]+$/;
const hexLen = { SHA1: 40, SHA256: 64 };

function spdxRules(doc) {
	const errs = [];
	const ids = new Set();
	const checkId = (id, where) => {
		if (typeof id !== 'string' || !spdxId.test(id)) {
			errs.push(`${where}: SPDXID ${JSON.stringify(id)} is not SPDXRef-[A-Za-z0-9.-]+ (3.2)`);
		} else if (ids.has(id)) {
			errs.push(`${where}: SPDXID ${id} is not unique`);
		}
		ids.add(id);
	};
	const checkSums = (sums, where) => {
		(Array.isArray(sums) ? sums : []).forEach((c, i) => {
			const n = hexLen[c.algorithm];
			if (n && !new RegExp(`^[0-9a-f]{${n}}$`).test(c.checksumValue)) {
				errs.push(`${where}/checksums[${i}]: ${c.algorithm} value is not ${n} lower-case hex digits`);
			}
		});
	};
	if (doc.SPDXID !== 'SPDXRef-DOCUMENT') {
		errs.push('/SPDXID: must be SPDXRef-DOCUMENT (6.3)');
	}
	ids.add('SPDXRef-DOCUMENT');
	if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(doc.creationInfo && doc.creationInfo.created)) {
		errs.push('/creationInfo/created: not YYYY-MM-DDThh:mm:ssZ (6.9)');
	}
	(doc.packages || []).forEach((p, i) => {
		checkId(p.SPDXID, `/packages[${i}]`);
		checkSums(p.checksums, `/packages[${i}]`);
	});
	(doc.files || []).forEach((f, i) => {
		checkId(f.SPDXID, `/files[${i}]`);
		checkSums(f.checksums, `/files[${i}]`);
		if (!(f.checksums || []).some((c) => c.algorithm === 'SHA1')) {
			errs.push(`/files[${i}]: no SHA1 checksum (8.4 requires one)`);
		}
	});
	(doc.relationships || []).forEach((r, i) => {
		for (const k of ['spdxElementId', 'relatedSpdxElement']) {
			const v = r[k];
			if (v !== 'NONE' && v !== 'NOASSERTION' && !ids.has(v)) {
				errs.push(`/relationships[${i}]: ${k} ${JSON.stringify(v)} names no element`);
			}
		}
	});
	return errs;
}

// ---- main --------------------------------------------------------------------------------

const [kind, ...files] = process.argv.slice(2);
if (!['cyclonedx', 'spdx', 'sarif'].includes(kind) || files.length === 0) {
	usage(kind ? `unknown kind ${kind}` : null);
}
let bad = 0;
for (const file of files) {
	let doc;
	try {
		doc = loadJson(file);
	} catch (e) {
		console.log(`invalid: ${file}: not JSON: ${e.message}`);
		bad++;
		continue;
	}
	const v = kind === 'cyclonedx' ? cyclonedxValidators(doc)
		: kind === 'spdx' ? spdxValidators() : sarifValidators();
	const errs = [];
	if (v.err) {
		errs.push(v.err);
	}
	for (const [name, validate] of v.list || []) {
		if (!validate(doc)) {
			for (const e of validate.errors) {
				errs.push(`${name}: ${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`);
			}
		}
	}
	if (kind === 'cyclonedx') {
		errs.push(...cyclonedxRules(doc));
	} else if (kind === 'spdx') {
		errs.push(...spdxRules(doc));
	}
	if (errs.length > 0) {
		console.log(`invalid: ${file}`);
		for (const e of errs.slice(0, 50)) {
			console.log(`  ${e}`);
		}
		if (errs.length > 50) {
			console.log(`  ... and ${errs.length - 50} more`);
		}
		bad++;
	} else {
		console.log(`valid: ${file}`);
	}
}
process.exit(bad === 0 ? 0 : 1);
