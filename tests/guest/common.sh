# SPDX-License-Identifier: GPL-2.0-or-later
# Shared by the guest suite's shell scripts (sourced, not run).
# Artefacts live under the cache, never in the clone, in directories
# named by a hash of everything that goes into them.

guest_cache=${SMMU_EXT_CACHE:-/var/cache/smmu-ext}
guest_here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
guest_top=$(cd "$guest_here/../.." && pwd)

guest_die() {
    echo "$(basename "$0"): $*" >&2
    exit 1
}

# guest_need_packages PKG...: install the Debian packages that are missing
# (root only; otherwise say which are missing and fail).
guest_need_packages() {
    local missing=() p
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
            missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    [ "$(id -u)" = 0 ] || guest_die "missing packages (needs root): ${missing[*]}"
    echo "installing ${missing[*]}" >&2
    (
        flock 8
        apt-get update -qq >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
            --no-install-recommends "${missing[@]}" >&2
    ) 8>/var/lib/apt/lists/.smmu-ext-lock ||
        guest_die "apt-get install ${missing[*]} failed"
}

# guest_hash ARG...: a short hash of its arguments, in order: an argument
# @PATH stands for the contents of the file PATH, any other for itself.
guest_hash() {
    local a
    for a in "$@"; do
        case $a in
            @*) printf 'file %s\n' "$(basename "${a#@}")"; cat "${a#@}" ;;
            *) printf 'str %s\n' "$a" ;;
        esac
    done | sha256sum | cut -c1-16
}
