// validate.js FILE - exit 0 when FILE is valid CycloneDX 1.6 JSON for
// @cyclonedx/cyclonedx-library's JsonStrictValidator, else print why and
// exit 1.  Test-only (tests/e2e/test_reports.sh).
'use strict'
const fs = require('fs')
const CDX = require('@cyclonedx/cyclonedx-library')
const validator = new CDX.Validation.JsonStrictValidator(CDX.Spec.Version.v1dot6)
validator.validate(fs.readFileSync(process.argv[2], 'utf8')).then(
  (errors) => {
    if (errors === null) process.exit(0)
    console.log(JSON.stringify(errors, null, 2))
    process.exit(1)
  },
  (err) => { console.log(String(err)); process.exit(2) })
