#!/usr/bin/env bash
# Builds the Debian package build/out/deb/tsha_<version>_<arch>.deb from this checkout with dpkg-deb.
#
#   build/deb.sh                      version from package.json; fetches the Node.js runtime as install.sh does
#   build/deb.sh --runtime DIR        ship the runtime in DIR (bin/node, LICENSE) instead of fetching it
#   build/deb.sh --version V          label the package V (upgrade tests only: the agents still say package.json's)
#   build/deb.sh --out DIR            write the .deb into DIR
#   build/deb.sh --prebuilt           package build/out as it is, no npm ci (tests: it would replace node_modules
#                                     under the running test runner)
#   build/deb.sh --fast               gzip -1 (~2 s, 50 MB) instead of xz (~50 s, 29 MB): for tests
#
# The package holds exactly what ./install.sh installs on a machine whose node is older than 22
# (Debian 12's is 18): the agents under /usr/lib/ocf/resource.d/tsha/, each naming the private runtime
# /usr/lib/tsha/node/bin/node on its first line, and that runtime; plus its documentation under
# /usr/share/doc/tsha/. The agents' V8 code cache (/var/cache/tsha) is created by the agents on first use
# and removed by the package's postrm. See build/README.md.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

version= runtime= outdir="$here/build/out/deb" compress=(-Zxz) prebuilt=
while [ $# -gt 0 ]; do
  case "$1" in
    --version) version=$2; shift 2 ;;
    --runtime) runtime=$2; shift 2 ;;
    --out) outdir=$2; shift 2 ;;
    --fast) compress=(-Zgzip -z1); shift ;;
    --prebuilt) prebuilt=1; shift ;;
    -h | --help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) printf 'deb.sh: unknown option %s (see --help)\n' "$1" >&2; exit 2 ;;
  esac
done

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
root="$stage/root"
# install.sh's functions, installing into the staging root at the paths a package must use.
# shellcheck source=../install.sh
DESTDIR=$root OCF_ROOT=/usr/lib/ocf TSHA_HOME=/usr/lib/tsha
. "$here/install.sh"
umask 022

command -v dpkg-deb >/dev/null && command -v dpkg-shlibdeps >/dev/null || apt_install dpkg-dev

# 1. The runtime: the same official binary install.sh's ensure_runtime would fetch.
if [ -n "$runtime" ]; then
  mkdir -p "$root$TSHA_HOME/node/bin"
  cp "$runtime/bin/node" "$root$TSHA_HOME/node/bin/node"
  cp "$runtime/LICENSE" "$root$TSHA_HOME/node/LICENSE"
else
  fetch_runtime "$root$TSHA_HOME/node"
fi
node="$root$TSHA_HOME/node/bin/node"
[ "$(node_major "$node")" -ge 22 ] || die "$node is not Node.js >= 22"
chmod 0755 "$node" && chmod 0644 "$root$TSHA_HOME/node/LICENSE"

# 2. The agents: install.sh's build (npm ci + esbuild, skipped when up to date) and install_agents,
# each agent naming the runtime at its installed path.
if [ -n "$prebuilt" ]; then
  [ -e "$here/build/out/bundled-packages.json" ] || die "build/out has no complete build (node build/bundle.mjs)"
else
  build "$node"
fi
install_agents "$TSHA_HOME/node/bin/node" 2>/dev/null
# The manifest is install.sh's record of a clone install; dpkg keeps its own.
rm -f "$root$TSHA_HOME/manifest"

pkg_version=$("$node" -p 'require(process.argv[1]).version' "$here/package.json")
version=${version:-$pkg_version}
arch=$(dpkg --print-architecture)
maintainer=$(git -C "$here" log -1 --format='%an <%ae>' 2>/dev/null || echo 'tsha maintainers <root@localhost>')
date=$(git -C "$here" log -1 --format=%aD 2>/dev/null || date -R)

# 3. Documentation: copyright (machine-readable), changelog, README.
doc="$root/usr/share/doc/tsha"
mkdir -p "$doc"
"$node" - "$here" "$maintainer" >"$doc/copyright" <<'JS'
// The copyright file: tsha itself, the npm packages bundled into the agents (build/out/bundled-packages.json,
// written by bundle.mjs from esbuild's list of inputs), and the Node.js runtime.
const [here, maintainer] = process.argv.slice(2);
const fs = require('node:fs');
const path = require('node:path');
const bundled = JSON.parse(fs.readFileSync(path.join(here, 'build/out/bundled-packages.json'), 'utf8'));
const spdx = { MIT: 'Expat', 'Apache-2.0': 'Apache-2.0' };
const holder = (p) => {
  const text = p.licenseFile ? fs.readFileSync(path.join(here, p.licenseFile), 'utf8') : '';
  // The first copyright line; a line of years alone continues on the next (amqplib's).
  const lines = text.split('\n').map((l) => l.trim());
  const at = lines.findIndex((l) => /copyright \(c\)|^copyright [0-9]/i.test(l));
  if (at >= 0) {
    const line = lines[at].replace(/^.*?copyright \(c\)\s*/i, '').replace(/^copyright\s*/i, '');
    return /^[0-9, -]+$/.test(line) && lines[at + 1] ? `${line} ${lines[at + 1]}` : line;
  }
  const pkg = JSON.parse(fs.readFileSync(path.join(here, 'node_modules', p.name, 'package.json'), 'utf8'));
  const author = typeof pkg.author === 'string' ? pkg.author : pkg.author?.name;
  return author ?? `the ${p.name} authors`;
};
const licenses = [...new Set(bundled.map((p) => spdx[p.license] ?? p.license))];
for (const l of licenses) if (!['Expat', 'Apache-2.0'].includes(l)) throw new Error(`no license text for ${l}`);
const out = [
  'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/',
  'Upstream-Name: tsha',
  `Upstream-Contact: ${maintainer}`,
  '',
  'Files: *',
  `Copyright: 2026 ${maintainer.replace(/ <.*/, '')}`,
  'License: GPL-2+',
  '',
  'Files: usr/lib/ocf/resource.d/tsha/*',
  'Copyright:',
  ` 2026 ${maintainer.replace(/ <.*/, '')}`,
  ...bundled.map((p) => ` ${holder(p)} (${p.name} ${p.version})`),
  `License: GPL-2+ and ${licenses.join(' and ')}`,
  'Comment: Each agent is one esbuild bundle of tsha (GPL-2+) and these npm packages:',
  ...bundled.map((p) => ` ${p.name} ${p.version}, ${spdx[p.license] ?? p.license}`),
  '',
  'Files: usr/lib/tsha/node/*',
  'Copyright: Node.js contributors; Joyent, Inc. and other Node contributors',
  'License: Expat',
  'Comment: The official Node.js binary (the npm registry\'s node-linux-<arch> package). It',
  ' embeds V8, OpenSSL, ICU, libuv, zlib and others; their licenses are listed in full in',
  ' /usr/lib/tsha/node/LICENSE, shipped with it.',
  '',
  'License: GPL-2+',
  ' This program is free software; you can redistribute it and/or modify it under the terms of',
  ' the GNU General Public License as published by the Free Software Foundation; either version 2',
  ' of the License, or (at your option) any later version.',
  ' .',
  ' On Debian systems, the complete text of the GNU General Public License version 2 can be found',
  ' in /usr/share/common-licenses/GPL-2.',
  '',
  'License: Expat',
  ' Permission is hereby granted, free of charge, to any person obtaining a copy of this software',
  ' and associated documentation files (the "Software"), to deal in the Software without',
  ' restriction, including without limitation the rights to use, copy, modify, merge, publish,',
  ' distribute, sublicense, and/or sell copies of the Software, and to permit persons to whom the',
  ' Software is furnished to do so, subject to the following conditions:',
  ' .',
  ' The above copyright notice and this permission notice shall be included in all copies or',
  ' substantial portions of the Software.',
  ' .',
  ' THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING',
  ' BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND',
  ' NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM,',
  ' DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,',
  ' OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.',
];
if (licenses.includes('Apache-2.0'))
  out.push(
    '',
    'License: Apache-2.0',
    ' Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file',
    ' except in compliance with the License. Unless required by applicable law or agreed to in',
    ' writing, software distributed under the License is distributed on an "AS IS" BASIS, WITHOUT',
    ' WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.',
    ' .',
    ' On Debian systems, the complete text of the Apache License version 2.0 can be found in',
    ' /usr/share/common-licenses/Apache-2.0.',
  );
process.stdout.write(`${out.join('\n')}\n`);
JS
# A native package (tsha is packaged by its own authors): changelog.gz, one entry per version built.
{
  printf 'tsha (%s) unstable; urgency=medium\n\n' "$version"
  printf '  * tsha %s, built from its repository.\n' "$version"
  printf '  * Agents: %s.\n' "$(cd "$here/agents" && ls -- *.ts | sed 's/\.ts$//' | paste -sd' ' | fold -s -w 64 | sed -e 's/ *$//' -e '2,$s/^/    /')"
  printf '\n -- %s  %s\n' "$maintainer" "$date"
} | gzip -9n >"$doc/changelog.gz"
gzip -9n <"$here/README.md" >"$doc/README.md.gz"
mkdir -p "$root/usr/share/lintian/overrides"
cp "$here/build/debian/lintian-overrides" "$root/usr/share/lintian/overrides/tsha"

# 4. Control files. Depends: what the runtime links against, as dpkg-shlibdeps finds it.
mkdir -p "$root/DEBIAN" "$stage/debian"
printf 'Source: tsha\n\nPackage: tsha\nArchitecture: any\n' >"$stage/debian/control"
shlibs=$(cd "$stage" && dpkg-shlibdeps -O -e"$node" 2>/dev/null | sed -n 's/^shlibs:Depends=//p')
[ -n "$shlibs" ] || die "dpkg-shlibdeps found no dependencies for $node"
installed_size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
sed -e "s|@VERSION@|$version|" -e "s|@ARCH@|$arch|" -e "s|@MAINTAINER@|$maintainer|" \
  -e "s|@DEPENDS@|$shlibs|" -e "s|@SIZE@|$installed_size|" "$here/build/debian/control" >"$root/DEBIAN/control"
install -m 0755 "$here/build/debian/postrm" "$root/DEBIAN/postrm"
(cd "$root" && find usr -type f -print0 | sort -z | xargs -0 md5sum) >"$root/DEBIAN/md5sums"
chmod 0644 "$root/DEBIAN/control" "$root/DEBIAN/md5sums"
find "$root" -type d -exec chmod 0755 {} +

mkdir -p "$outdir"
deb="$outdir/tsha_${version}_${arch}.deb"
dpkg-deb --root-owner-group "${compress[@]}" --build "$root" "$deb" >/dev/null
say "built $deb ($(du -k "$deb" | cut -f1) KiB, installed size $installed_size KiB)"
echo "$deb"
