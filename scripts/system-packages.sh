#!/usr/bin/env bash
# Installs the Debian packages listed in system-packages.txt that are missing. Fails, loudly,
# when one is missing and cannot be installed: tests never skip for want of a tool.
set -euo pipefail
cd "$(dirname "$0")/.."
missing=()
while read -r name _; do
  [[ -z "$name" || "$name" == \#* ]] && continue
  dpkg-query -W -f='${Status}' "$name" 2>/dev/null | grep -q "install ok installed" || missing+=("$name")
done < system-packages.txt
# Debian's own nodejs comes without npm (NodeSource's includes it): add Debian's npm only then.
if ! command -v npm >/dev/null && ! dpkg-query -W -f='${Version}' nodejs 2>/dev/null | grep -q nodesource; then
  missing+=("npm")
fi
[[ ${#missing[@]} -eq 0 ]] && exit 0
echo "Installing Debian packages: ${missing[*]}"
sudo=""
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "error: need root or sudo to install ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
