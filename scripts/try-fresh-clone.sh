#!/usr/bin/env bash
# Does what a new user does, so a change to the set-up can be checked the same way each time:
# clones this repository's HEAD (committed work only) into a folder of its own (`mktemp -d`,
# which only its owner can enter), then `npm ci`, `npm test` without DATABASE_URL, and
# `npm start` (embedded PostgreSQL) with a GET of the default authentication flow.
# Prints each step's result and time; exits non-zero when any step failed.
#
#   scripts/try-fresh-clone.sh            # the clone is deleted when every step passed
#   KEEP=1 scripts/try-fresh-clone.sh     # keep it (it is always kept when a step failed)
#   PORT=9100 scripts/try-fresh-clone.sh  # HTTP port for the npm start step (default: a free one)
set -uo pipefail

source_repo=$(git -C "$(dirname "$0")/.." rev-parse --show-toplevel)
commit=$(git -C "$source_repo" rev-parse HEAD)
work=$(mktemp -d "${TMPDIR:-/tmp}/idp-fresh-clone.XXXXXX")
clone="$work/repo"
logs="$work/logs"
mkdir -p "$logs"
server_pid=''
failed=0
summary=()

stop_server() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    # The server's own SIGTERM handler closes the app and stops the embedded PostgreSQL.
    kill -TERM -- "-$server_pid" 2>/dev/null
    for _ in $(seq 1 60); do kill -0 "$server_pid" 2>/dev/null || break; sleep 1; done
    kill -KILL -- "-$server_pid" 2>/dev/null
  fi
  server_pid=''
}
trap stop_server EXIT

# step NAME SECONDS RESULT DETAIL: records one line of the summary.
step() {
  summary+=("$(printf '%-10s %-5s %5ss  %s' "$1" "$3" "$2" "$4")")
  echo "== $1: $3 in $2 s. $4"
  [ "$3" = ok ] || failed=1
}

echo "Fresh clone of $commit in $clone (logs in $logs)"
unset DATABASE_URL
if ! git clone --quiet --no-hardlinks "$source_repo" "$clone" >"$logs/clone.log" 2>&1 ||
  ! git -C "$clone" checkout --quiet --detach "$commit" >>"$logs/clone.log" 2>&1; then
  cat "$logs/clone.log"
  echo "git clone failed"
  exit 1
fi
cd "$clone" || exit 1

# npm ci
start=$SECONDS
if npm ci --no-audit --no-fund >"$logs/npm-ci.log" 2>&1; then
  step 'npm ci' $((SECONDS - start)) ok "$(grep -E '^added' "$logs/npm-ci.log" | tail -1)"
else
  tail -20 "$logs/npm-ci.log"
  step 'npm ci' $((SECONDS - start)) FAIL "see $logs/npm-ci.log"
fi

# npm test, without DATABASE_URL: the tests start the embedded PostgreSQL.
start=$SECONDS
npm test -- --reporter=default --reporter=json --outputFile.json="$logs/test-results.json" >"$logs/npm-test.log" 2>&1
test_status=$?
counts=$(node -e "
const r = require(process.argv[1]);
const failed = r.testResults.flatMap((f) => f.assertionResults.filter((t) => t.status === 'failed').map((t) => '  failed: ' + t.fullName));
console.log(r.numPassedTests + ' passed, ' + r.numFailedTests + ' failed, ' + r.numPendingTests + ' skipped, in ' +
  r.numTotalTestSuites + ' suites' + (r.numFailedTestSuites ? ' (' + r.numFailedTestSuites + ' suites failed)' : ''));
for (const line of failed) console.log(line);
if (r.numFailedTests > 0 || r.numTotalTests === 0 || !r.success) process.exit(1);
" "$logs/test-results.json" 2>/dev/null) || test_status=1
if [ "$test_status" -eq 0 ]; then
  step 'npm test' $((SECONDS - start)) ok "$counts"
else
  [ -n "$counts" ] || tail -30 "$logs/npm-test.log"
  step 'npm test' $((SECONDS - start)) FAIL "${counts:-no test report} (see $logs/npm-test.log)"
fi

# npm start on the embedded PostgreSQL, then what a browser's first request to the login flow gets.
port=${PORT:-$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")}
flow_url="http://127.0.0.1:$port/api/v3/flows/executor/default-authentication-flow/"
start=$SECONDS
PORT=$port setsid npm start >"$logs/npm-start.log" 2>&1 &
server_pid=$!
result=FAIL
detail="no answer from $flow_url (see $logs/npm-start.log)"
for _ in $(seq 1 300); do
  if ! kill -0 "$server_pid" 2>/dev/null; then
    detail="npm start exited: $(grep -m1 'Start-up failed' "$logs/npm-start.log" || tail -1 "$logs/npm-start.log")"
    break
  fi
  if grep -q 'Identity server listening' "$logs/npm-start.log"; then
    code=$(curl -s -o "$logs/default-flow.json" -w '%{http_code}' "$flow_url")
    component=$(node -e "try{console.log(require(process.argv[1]).component ?? '')}catch{}" "$logs/default-flow.json")
    if [ "$code" = 200 ] && [ -n "$component" ]; then
      result=ok
      detail="GET $flow_url -> 200, component $component"
    else
      detail="GET $flow_url -> $code $(head -c 200 "$logs/default-flow.json")"
    fi
    break
  fi
  sleep 1
done
step 'npm start' $((SECONDS - start)) "$result" "$detail"
stop_server
# As root from a folder the postgres account cannot enter, the data lives outside the clone.
data_dir=$(sed 's/\x1b\[[0-9;]*m//g' "$logs/npm-start.log" | sed -n 's/.*using the embedded PostgreSQL in \([^"[:space:]]*\).*/\1/p' | head -1)
if [ -n "$data_dir" ] && pgrep -f "postgres -D $data_dir" >/dev/null; then
  step 'shutdown' 0 FAIL "the embedded PostgreSQL on $data_dir was still running after npm start stopped"
fi

echo
echo "Summary for $commit:"
printf '  %s\n' "${summary[@]}"
if [ "$failed" -eq 0 ] && [ "${KEEP:-0}" != 1 ]; then
  cd / && rm -rf "$work"
  case "$data_dir" in /var/tmp/idp-embedded-postgres/data/*) rm -rf "$data_dir" ;; esac
else
  echo "Clone and logs kept in $work"
  case "$data_dir" in "$clone"/* | '') ;; *) echo "The embedded PostgreSQL's data of that clone: $data_dir" ;; esac
fi
exit "$failed"
