#!/usr/bin/env bash
# Set up, run and test the simotel_connector addon on Odoo 18.0.
#
#   scripts/dev.sh serve [odoo args]   set everything up on a fresh Debian machine, run Odoo on :8069
#                                      in one process: pages and the live websocket (screen pops) on
#                                      the same port. SIMOTEL_WORKERS=N runs N workers instead; then
#                                      /websocket is served on GEVENT_PORT and needs a reverse proxy.
#                                      Odoo loads the addon server-wide (--load=base,web,simotel_connector):
#                                      Simotel gets JSON answers even when the database is unreachable.
#   scripts/dev.sh lint  [--fix]       ruff, pylint-odoo (OCA mandatory checks), OCA module/PO checks, file hygiene,
#                                      ESLint (Odoo's rules), Prettier
#   scripts/dev.sh test  [pytest args] lint, then run the whole test suite on a fresh test database
#   scripts/dev.sh i18n                refresh i18n/fa.po from the code (after `test`), list untranslated terms
#   scripts/dev.sh wheel [dir]         build the wheel odoo-addon-simotel_connector into dir (default dist/)
#
# Environment (all optional):
#   ODOO_SRC      Odoo 18.0 Community source tree      (default /opt/odoo-18.0)
#   SIMOTEL_HOME  virtualenv, config, data, addons link (default ~/.simotel-dev)
#   SIMOTEL_DB    database used by `serve`              (default simotel)
#   HTTP_PORT     port used by `serve`                  (default 8069)
#   SIMOTEL_WORKERS  `serve` with this many HTTP workers (default 0: one process, no proxy needed)
#   GEVENT_PORT   websocket port of `serve` with workers (default 8072)
#   SIMOTEL_REUSE_DB=1  `test` updates the checkout's test database instead of recreating it
#   SIMOTEL_NO_LINT=1   `test` skips the lint step (while iterating; CI always lints)
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ODOO_SRC=${ODOO_SRC:-/opt/odoo-18.0}
SIMOTEL_HOME=${SIMOTEL_HOME:-$HOME/.simotel-dev}
VENV=$SIMOTEL_HOME/venv
# Each checkout gets its own addons link, config and test database, so checkouts can work side by side.
KEY=$(printf %s "$REPO" | sha256sum | cut -c1-8)
CONF=$SIMOTEL_HOME/checkouts/$KEY/odoo.conf
ADDONS=$SIMOTEL_HOME/checkouts/$KEY/addons
ODOO_GIT=https://github.com/odoo/odoo.git
# JavaScript lint tools, pinned; installed into $NODE_LINT (keep in step with .pre-commit-config.yaml).
NODE_LINT=$SIMOTEL_HOME/node-lint
NODE_LINT_PACKAGES=(eslint@9.12.0 @eslint/js@9.12.0 globals@16.0.0 prettier@3.3.3)
APT_PACKAGES=(postgresql libldap2-dev libsasl2-dev libpq-dev python3-venv chromium)

say() { printf '\033[1m[simotel]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[simotel] ERROR:\033[0m %s\n' "$*" >&2; exit 1; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
as_postgres() { if [ "$(id -u)" = 0 ]; then su postgres -c "$*"; else sudo -u postgres sh -c "$*"; fi; }

ensure_system() {
    local missing=()
    for p in "${APT_PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        say "installing Debian packages: ${missing[*]}"
        as_root apt-get update -qq
        DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null
    fi
    command -v npm >/dev/null || { say "installing Node.js and npm"; DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq nodejs npm >/dev/null; }
    command -v rtlcss >/dev/null || { say "installing rtlcss (right-to-left styles for Persian)"; as_root npm install -g --silent rtlcss >/dev/null; }
}

check_odoo_tree() {
    [ -f "$ODOO_SRC/odoo-bin" ] && [ -d "$ODOO_SRC/addons" ] && [ -f "$ODOO_SRC/requirements.txt" ] &&
        grep -q "version_info = (18, 0" "$ODOO_SRC/odoo/release.py" 2>/dev/null
}

ensure_odoo() {
    check_odoo_tree && return 0
    if [ "${1:-}" = clone ] && [ ! -e "$ODOO_SRC" ]; then
        say "cloning Odoo 18.0 Community into $ODOO_SRC"
        command -v git >/dev/null || as_root apt-get install -y -qq git >/dev/null
        as_root mkdir -p "$(dirname "$ODOO_SRC")"
        as_root git clone --depth 1 --branch 18.0 "$ODOO_GIT" "$ODOO_SRC" && check_odoo_tree && return 0
    fi
    die "no Odoo 18.0 Community tree at ODOO_SRC=$ODOO_SRC (it needs odoo-bin, odoo/, addons/ and requirements.txt).
  Fix: put one there, e.g.  git clone --depth 1 --branch 18.0 $ODOO_GIT $ODOO_SRC
       or point to an existing tree:  ODOO_SRC=/path/to/odoo-18.0 $0 ${CMD:-test}"
}

ensure_postgres() {
    if ! pg_isready -q 2>/dev/null; then
        say "starting PostgreSQL"
        local ver
        ver=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n1)
        [ -n "$ver" ] || die "PostgreSQL is not installed (apt-get install postgresql)"
        as_root pg_ctlcluster "$ver" main start || as_root service postgresql start
        for _ in $(seq 30); do pg_isready -q && break; sleep 1; done
        pg_isready -q || die "PostgreSQL did not start; see /var/log/postgresql/"
    fi
    local me
    me=$(id -un)
    if [ "$(as_postgres "psql -tAc \"SELECT 1 FROM pg_roles WHERE rolname='$me'\"")" != 1 ]; then
        say "creating PostgreSQL role $me"
        as_postgres "createuser --superuser $me"
    fi
}

ensure_venv() {
    local stamp want
    want=$( (echo "venv-recipe-2"; cat "$ODOO_SRC/requirements.txt" "$REPO/requirements.txt" "$REPO/test-requirements.txt") |
        sha256sum | cut -c1-16)
    stamp=$VENV/.simotel-requirements
    [ -x "$VENV/bin/python" ] || { say "creating virtualenv $VENV"; python3 -m venv "$VENV"; }
    if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
        say "installing Odoo's and our Python requirements (first time: several minutes)"
        # Odoo 18's pinned packages build from source and need an old setuptools to do so.
        echo "setuptools<70" > "$SIMOTEL_HOME/pip-constraint.txt"
        "$VENV/bin/pip" install -q wheel
        PIP_CONSTRAINT="$SIMOTEL_HOME/pip-constraint.txt" PIP_BUILD_CONSTRAINT="$SIMOTEL_HOME/pip-constraint.txt" \
            "$VENV/bin/pip" install -q \
            -r "$ODOO_SRC/requirements.txt" -r "$REPO/requirements.txt" -r "$REPO/test-requirements.txt"
        # At run time Odoo's gevent worker (websocket bus, --workers) needs a pkg_resources that
        # knows normalized distribution names (zope_interface); the venv's bundled one does not.
        "$VENV/bin/pip" install -q "setuptools>=70,<81"
        echo "$want" > "$stamp"
    fi
}

write_config() {
    mkdir -p "$ADDONS" "$SIMOTEL_HOME/data"
    ln -sfn "$REPO" "$ADDONS/simotel_connector"
    cat > "$CONF" <<CONF
[options]
addons_path = $ODOO_SRC/addons,$ODOO_SRC/odoo/addons,$ADDONS
data_dir = $SIMOTEL_HOME/data
db_host = False
db_port = False
db_user = $(id -un)
list_db = True
CONF
}

setup() {
    mkdir -p "$SIMOTEL_HOME"
    ensure_system
    ensure_odoo "${1:-}"
    ensure_postgres
    ensure_venv
    write_config
}

odoo() { "$VENV/bin/python" "$ODOO_SRC/odoo-bin" -c "$CONF" "$@"; }

# The lint tools: Python ones (lint-requirements.txt) into the virtualenv, JavaScript ones into $NODE_LINT.
ensure_lint() {
    local stamp want
    want=$( (echo "lint-recipe-1"; cat "$REPO/lint-requirements.txt") | sha256sum | cut -c1-16)
    stamp=$VENV/.simotel-lint
    if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
        say "installing the lint tools into $VENV"
        "$VENV/bin/pip" install -q -r "$REPO/lint-requirements.txt"
        echo "$want" > "$stamp"
    fi
    want=$(printf '%s\n' lint-recipe-1 "$(node --version)" "${NODE_LINT_PACKAGES[@]}" | sha256sum | cut -c1-16)
    stamp=$NODE_LINT/.simotel-lint
    if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
        say "installing the JavaScript lint tools into $NODE_LINT"
        rm -rf "$NODE_LINT" && mkdir -p "$NODE_LINT"
        npm install --no-save --no-audit --no-fund --silent --prefix "$NODE_LINT" "${NODE_LINT_PACKAGES[@]}" >/dev/null
        echo "$want" > "$stamp"
    fi
}

# Run every lint tool, report each finding, fail if there is one. With --fix, apply the safe fixes first.
run_lint() {
    local failed=() bin=$NODE_LINT/node_modules/.bin
    cd "$REPO"
    export NODE_PATH=$NODE_LINT/node_modules
    if [ "${1:-}" = --fix ]; then
        "$VENV/bin/ruff" format -q . || true
        "$VENV/bin/ruff" check -q --fix . || true
        "$bin/prettier" --log-level=warn --write "static/**/*.js" || true
        "$bin/eslint" --fix static || true
    fi
    say "lint: ruff"
    "$VENV/bin/ruff" format --check . || failed+=("ruff format (fix: scripts/dev.sh lint --fix)")
    "$VENV/bin/ruff" check --no-fix -q . || failed+=("ruff check")
    say "lint: pylint-odoo (OCA mandatory checks)"
    # The addon is checked under its own name (the addons link), as Odoo imports it.
    PYTHONPATH="$ODOO_SRC${PYTHONPATH:+:$PYTHONPATH}" "$VENV/bin/pylint" --rcfile="$REPO/.pylintrc-mandatory" \
        "$ADDONS/simotel_connector" || failed+=("pylint-odoo")
    say "lint: OCA checks of the manifest, XML, CSV and PO files"
    "$VENV/bin/oca-checks-odoo-module" --no-verbose "$REPO" || failed+=("oca-checks-odoo-module")
    "$VENV/bin/oca-checks-po" --disable=po-pretty-format "$REPO"/i18n/*.po || failed+=("oca-checks-po")
    say "lint: file hygiene (pre-commit-hooks)"
    local text_files=() executables=()
    mapfile -d '' text_files < <(git ls-files -z | xargs -0 grep -IlZ '' --)
    mapfile -t executables < <(git ls-files -s | awk '$1 == "100755" { print $4 }')
    "$VENV/bin/check-merge-conflict" "${text_files[@]}" || failed+=("check-merge-conflict")
    "$VENV/bin/check-case-conflict" "${text_files[@]}" || failed+=("check-case-conflict")
    "$VENV/bin/check-xml" $(git ls-files '*.xml') || failed+=("check-xml")
    "$VENV/bin/debug-statement-hook" $(git ls-files '*.py') || failed+=("debug-statements")
    [ ${#executables[@]} -eq 0 ] || "$VENV/bin/check-executables-have-shebangs" "${executables[@]}" ||
        failed+=("check-executables-have-shebangs")
    # These fix what they find (as under pre-commit) and fail, so that the fix is seen and committed.
    local plain=()
    mapfile -t plain < <(printf '%s\n' "${text_files[@]}" | grep -Ev '\.pot?$')
    "$VENV/bin/trailing-whitespace-fixer" "${plain[@]}" || failed+=("trailing-whitespace")
    "$VENV/bin/end-of-file-fixer" "${plain[@]}" || failed+=("end-of-file")
    "$VENV/bin/mixed-line-ending" --fix=lf "${text_files[@]}" || failed+=("mixed-line-ending")
    say "lint: ESLint and Prettier (JavaScript)"
    "$bin/eslint" --max-warnings=0 static || failed+=("eslint")
    "$bin/prettier" --log-level=warn --check "static/**/*.js" || failed+=("prettier (fix: scripts/dev.sh lint --fix)")
    cd - >/dev/null
    if [ ${#failed[@]} -gt 0 ]; then
        die "lint findings above, from: ${failed[*]}"
    fi
    say "lint: clean"
}

cmd_lint() {
    mkdir -p "$SIMOTEL_HOME"
    ensure_system
    ensure_odoo
    ensure_venv
    ensure_lint
    write_config
    run_lint "$@"
}

cmd_serve() {
    setup clone
    local db=${SIMOTEL_DB:-simotel}
    if psql -lqt | cut -d'|' -f1 | grep -qw "$db"; then
        say "updating simotel_connector in database $db"
        odoo -d "$db" -u simotel_connector --stop-after-init
    else
        say "creating database $db with simotel_connector installed"
        odoo -d "$db" -i simotel_connector --stop-after-init
    fi
    local workers=${SIMOTEL_WORKERS:-0} mode=()
    if [ "$workers" -gt 0 ]; then
        mode=(--workers "$workers" --gevent-port "${GEVENT_PORT:-8072}")
        say "Odoo runs $workers workers on :${HTTP_PORT:-8069}; the websocket (screen pops) is on :${GEVENT_PORT:-8072}."
        say "Browsers must reach both through one address: route /websocket to :${GEVENT_PORT:-8072} (see README)."
    else
        mode=(--workers 0)
        say "Odoo runs in one process: pages and the websocket (screen pops) on the same port."
    fi
    say "Odoo runs on http://localhost:${HTTP_PORT:-8069} (database $db, login admin / admin)"
    exec "$VENV/bin/python" "$ODOO_SRC/odoo-bin" -c "$CONF" -d "$db" --http-port "${HTTP_PORT:-8069}" \
        --load=base,web,simotel_connector "${mode[@]}" "$@"
}

cmd_test() {
    setup
    if [ "${SIMOTEL_NO_LINT:-}" = 1 ]; then
        say "lint skipped (SIMOTEL_NO_LINT=1)"
    else
        ensure_lint
        run_lint
    fi
    local db="simotel_test_$KEY"
    if [ -n "${SIMOTEL_REUSE_DB:-}" ] && psql -lqt | cut -d'|' -f1 | grep -qw "$db"; then
        say "updating simotel_connector in the existing test database $db (SIMOTEL_REUSE_DB)"
        odoo -d "$db" -u simotel_connector --stop-after-init --log-level=warn
    else
        say "installing simotel_connector in a fresh database $db"
        dropdb --if-exists "$db"
        odoo -d "$db" -i simotel_connector --without-demo=all --stop-after-init --log-level=warn
    fi
    say "running the test suite"
    cd "$ADDONS/simotel_connector"
    PYTHONPATH="$ODOO_SRC:$REPO/scripts${PYTHONPATH:+:$PYTHONPATH}" "$VENV/bin/python" -m pytest \
        --odoo-config="$CONF" --odoo-database="$db" --odoo-http --odoo-log-level=warn \
        -p pytest_no_skip -p no:cacheprovider "$ADDONS/simotel_connector/tests" "$@"
}

cmd_i18n() {
    setup
    local db="simotel_test_$KEY" pot
    pot=$(mktemp --suffix=.pot)
    odoo -d "$db" --i18n-export="$pot" --modules=simotel_connector --stop-after-init --log-level=warn
    "$VENV/bin/python" "$REPO/scripts/i18n_merge.py" "$pot" "$REPO/i18n/fa.po"
}

cmd_wheel() {
    mkdir -p "$SIMOTEL_HOME"
    ensure_odoo
    ensure_venv
    "$VENV/bin/python" "$REPO/scripts/build_wheel.py" "${1:-$REPO/dist}"
}

CMD=${1:-}
shift || true
case "$CMD" in
    serve) cmd_serve "$@" ;;
    lint) cmd_lint "$@" ;;
    test) cmd_test "$@" ;;
    i18n) cmd_i18n ;;
    wheel) cmd_wheel "$@" ;;
    *) sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
