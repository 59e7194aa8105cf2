# Sourced by the scripts that install what they need from Debian's packages when it is missing
# (as root).
#
#   apt_install PACKAGE...   refreshes the package lists (a fresh machine's may not name the
#                            package yet), then installs the packages quietly.

apt_install() {
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null &&
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}
