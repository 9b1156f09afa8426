# Sourced by run-bot and run-tests: make .venv and install the project (with extras $1) when
# it is missing or pyproject.toml changed since the last install.
ensure_venv() {
    extras="$1"
    stamp=".venv/.installed${extras}"
    if [ ! -x .venv/bin/python ]; then
        python3 -m venv .venv
    fi
    if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
        .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
        .venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".${extras}"
        touch "$stamp"
    fi
}
