# Sourced by scripts/test: what the browser tests need, installed when missing.
#
#   ensure_browser   Debian's chromium and chromium-driver (installed as root when missing), and a
#                    Python virtualenv with the pinned packages of Tests/Browser/requirements.txt
#                    under .build/browser-venv (made again when the requirements change);
#                    sets BROWSER_PYTHON.

source "$(dirname "${BASH_SOURCE[0]}")/apt.sh"

ensure_browser() {
  if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    if [ "$(id -u)" -ne 0 ]; then
      echo "chromium and chromium-driver are missing; install them (apt-get install chromium chromium-driver) to run the browser tests." >&2
      return 1
    fi
    echo "Installing chromium and chromium-driver from Debian's packages..." >&2
    apt_install chromium chromium-driver
  fi
  local venv=.build/browser-venv requirements=Tests/Browser/requirements.txt
  local wanted
  wanted=$(sha256sum "$requirements" | cut -c1-16)
  if [ ! -x "$venv/bin/python" ] || [ "$(cat "$venv/.requirements" 2>/dev/null)" != "$wanted" ]; then
    echo "Creating the browser tests' Python environment in $venv..." >&2
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check -r "$requirements"
    echo "$wanted" >"$venv/.requirements"
  fi
  BROWSER_PYTHON="$venv/bin/python"
}
