#!/usr/bin/env bash
# Runs the construct, nag and deploy-check tests against the aws-cdk-lib floor (the version package-lock.json
# installs) and against the latest 2.x, which scripts/matrix-latest/ pins (package.json and its own lock file,
# installed there with npm ci), so the project's package-lock.json never changes. jest's moduleNameMapper
# (scripts/jest.matrix.config.js) points aws-cdk-lib and constructs there, for our code and cdk-nag alike.
#
# To move to a newer aws-cdk-lib: set the versions in scripts/matrix-latest/package.json with the date you
# checked, then `npm install --package-lock-only` in that folder.
set -euo pipefail
cd "$(dirname "$0")/.."

MATRIX_TESTS=(
  test/deploy
  test/nag.test.ts
  test/mta-sts.test.ts
  test/reporting/tls-report-ingestion.test.ts
  test/reporting/receipt-rule-set/active-receipt-rule-set.test.ts
  test/reporting/monitoring/report-monitoring.test.ts
  test/drift-check/mx-drift-check.test.ts
  test/policy-site/lifecycle.test.ts
  test/dns/mta-sts-records.test.ts
  test/canary/mta-sts-canary.test.ts
)

floor=$(node -p 'require("aws-cdk-lib/package.json").version')
echo "== aws-cdk-lib ${floor} (floor, from package-lock.json)"
npx jest --ci --coverage=false "${MATRIX_TESTS[@]}"

latest=scripts/matrix-latest
npm ci --prefix "${latest}" --no-audit --no-fund >/dev/null
echo "== aws-cdk-lib $(node -p "require('./${latest}/node_modules/aws-cdk-lib/package.json').version")," \
  "constructs $(node -p "require('./${latest}/node_modules/constructs/package.json').version") (latest 2.x)"
CDK_MATRIX_MODULES="${latest}/node_modules" npx jest --ci --coverage=false \
  --config scripts/jest.matrix.config.js "${MATRIX_TESTS[@]}"
