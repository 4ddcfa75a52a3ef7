#!/usr/bin/env bash
# Runs the construct, nag and deploy-check tests against the aws-cdk-lib floor (the version package-lock.json
# installs) and against the latest 2.x, installed into .tmp/matrix/ so package-lock.json never changes.
# jest's moduleNameMapper (scripts/jest.matrix.config.js) points aws-cdk-lib and constructs there, for our code
# and cdk-nag alike.
set -euo pipefail
cd "$(dirname "$0")/.."

# The latest aws-cdk-lib 2.x on the registry and the constructs it needs (^10.5), checked on 2026-11-26. Exact
# versions: aws-cdk-lib bundles its own dependencies, so these two pins make the install reproducible.
LATEST_CDK=2.276.0
LATEST_CONSTRUCTS=10.8.1

MATRIX_TESTS=(
  test/deploy
  test/nag.test.ts
  test/mta-sts.test.ts
  test/reporting/tls-report-ingestion.test.ts
  test/reporting/receipt-rule-set/active-receipt-rule-set.test.ts
  test/monitoring/report-monitoring.test.ts
  test/monitoring/mx-drift/mx-drift-check.test.ts
)

floor=$(node -p 'require("aws-cdk-lib/package.json").version')
echo "== aws-cdk-lib ${floor} (floor, from package-lock.json)"
npx jest --ci --coverage=false "${MATRIX_TESTS[@]}"

dir=.tmp/matrix/latest
if [ "$(node -p "try { require('./${dir}/node_modules/aws-cdk-lib/package.json').version } catch { '' }")" != "${LATEST_CDK}" ]; then
  rm -rf "${dir}"
  mkdir -p "${dir}"
  echo '{ "name": "cdk-mta-sts-matrix", "private": true }' >"${dir}/package.json"
  npm install --prefix "${dir}" --no-audit --no-fund --save-exact \
    "aws-cdk-lib@${LATEST_CDK}" "constructs@${LATEST_CONSTRUCTS}" >/dev/null
fi
echo "== aws-cdk-lib ${LATEST_CDK} (latest 2.x), constructs ${LATEST_CONSTRUCTS}"
CDK_MATRIX_MODULES="${dir}/node_modules" npx jest --ci --coverage=false \
  --config scripts/jest.matrix.config.js "${MATRIX_TESTS[@]}"
