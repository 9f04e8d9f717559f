# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=sh
#
# Sourced by scripts/kernels/*.sh: a private apt configuration per suite and
# architecture, so that packages of any Debian suite can be downloaded without
# touching the machine's own apt configuration, lists or cache. The mirror is
# whatever the machine's configured Debian sources point at: its URIs are read
# from /etc/apt, never written into this tree.
#
#   dmx_apt_init SUITE ARCH   set DMX_APT_DIR and DMX_APT (apt options)
#   dmx_apt_update            refresh the suite's lists (at most once an hour)
#   dmx_apt_get ...           apt-get with the private configuration
#   dmx_apt_cache ...         apt-cache with the private configuration
#   dmx_unpack_debs DIR DEST  unpack every .deb of DIR into DEST

DMX_CACHE=${DMX_CACHE:-/var/cache/dmabuf-exporter}
DMX_HOST_ARCH=$(dpkg --print-architecture)

dmx_die() {
	echo "${0##*/}: $*" >&2
	exit 1
}

# The machine's own release name (bookworm on Debian 12).
dmx_host_codename() {
	# shellcheck disable=SC1091
	(. /etc/os-release && echo "${VERSION_CODENAME:-}")
}

# Print "URI<TAB>SUITE<TAB>KEYRING" for every configured Debian source, from
# one-line .list files and deb822 .sources files alike.
dmx_configured_sources() {
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -r "$f" ] || continue
		sed -n 's/^[[:space:]]*deb[[:space:]]\+//p' "$f" | awk '
			{ key = "-"; i = 1
			  if ($1 ~ /^\[/) {
				for (; i <= NF; i++) {
					if ($i ~ /signed-by=/) { k = $i; sub(/.*signed-by=/, "", k); sub(/\]$/, "", k); key = k }
					if ($i ~ /\]$/) { i++; break }
				}
			  }
			  print $i "\t" $(i + 1) "\t" key }'
	done
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -r "$f" ] || continue
		awk '
			function flush() {
				if (types ~ /(^| )deb( |$)/ && enabled != "no")
					for (u in uris) for (s in suites) print u "\t" s "\t" key
				delete uris; delete suites; types = ""; key = "-"; enabled = ""
			}
			BEGIN { key = "-" }
			/^[[:space:]]*$/ { flush(); next }
			/^#/ { next }
			{ field = tolower($1); sub(/:$/, "", field) }
			field == "types" { types = $0; sub(/^[^:]*:[[:space:]]*/, "", types) }
			field == "uris" { for (i = 2; i <= NF; i++) uris[$i] = 1 }
			field == "suites" { for (i = 2; i <= NF; i++) suites[$i] = 1 }
			field == "signed-by" { key = $2 }
			field == "enabled" { enabled = tolower($2) }
			END { flush() }' "$f"
	done
}

# The main archive's and the security archive's entries: those configured for
# the machine's own release, and for its "-security" suite.
dmx_archive_source() {
	codename=$(dmx_host_codename)
	[ -n "$codename" ] || dmx_die "cannot tell this machine's Debian release (/etc/os-release)"
	dmx_configured_sources | awk -F '\t' -v want="$codename$1" '$2 == want { print; exit }'
}

dmx_apt_init() {
	suite=$1 arch=$2
	DMX_APT_DIR=$DMX_CACHE/apt/$suite-$arch
	mkdir -p "$DMX_APT_DIR/lists/partial" "$DMX_APT_DIR/cache/archives/partial" \
		"$DMX_APT_DIR/sources.list.d" || dmx_die "cannot create $DMX_APT_DIR"
	main=$(dmx_archive_source "") ||
		dmx_die "no Debian archive among this machine's apt sources"
	[ -n "$main" ] || dmx_die "no Debian archive among this machine's apt sources for $(dmx_host_codename)"
	list=$DMX_APT_DIR/sources.list
	{
		echo "# Written by ${0##*/} from this machine's apt sources; private to dmabuf-exporter."
		dmx_source_line "$main" "$suite"
		# A stable release's kernels are updated through its security suite.
		case $suite in
		*-*) ;;
		*)
			sec=$(dmx_archive_source -security)
			[ -z "$sec" ] || dmx_source_line "$sec" "$suite-security"
			dmx_source_line "$main" "$suite-updates"
			;;
		esac
	} >"$list.new"
	# Replaced only when it changed: a new list means new lists to fetch.
	if cmp -s "$list.new" "$list"; then
		rm -f "$list.new"
	else
		mv "$list.new" "$list"
	fi
	[ -f "$DMX_APT_DIR/status" ] || : >"$DMX_APT_DIR/status"
	# Another architecture's kernel is built with this machine's kbuild
	# tools (linux-kbuild-* is Multi-Arch: foreign): both are listed.
	archs="-o APT::Architectures::=$arch"
	[ "$arch" = "$DMX_HOST_ARCH" ] || archs="$archs -o APT::Architectures::=$DMX_HOST_ARCH"
	DMX_APT="-o Dir::Etc::SourceList=$list
		-o Dir::Etc::SourceParts=$DMX_APT_DIR/sources.list.d
		-o Dir::State::Lists=$DMX_APT_DIR/lists
		-o Dir::State::status=$DMX_APT_DIR/status
		-o Dir::Cache=$DMX_APT_DIR/cache
		-o APT::Architecture=$arch
		$archs
		-o Acquire::Languages=none
		-o APT::Sandbox::User=root"
}

# dmx_source_line "URI<TAB>SUITE<TAB>KEYRING" NEWSUITE
dmx_source_line() {
	printf '%s\n' "$1" | awk -F '\t' -v suite="$2" -v arch="$arch" -v host="$DMX_HOST_ARCH" '{
		opts = "arch=" arch (arch == host ? "" : "," host)
		if ($3 != "-") opts = opts " signed-by=" $3
		print "deb [" opts "] " $1 " " suite " main" }'
}

# shellcheck disable=SC2086
dmx_apt_get() { apt-get $DMX_APT "$@"; }
# shellcheck disable=SC2086
dmx_apt_cache() { apt-cache $DMX_APT "$@"; }

dmx_apt_update() {
	stamp=$DMX_APT_DIR/updated
	if [ "${DMX_APT_REFRESH:-0}" = 1 ] || [ ! -f "$stamp" ] ||
		[ -n "$(find "$DMX_APT_DIR/sources.list" -newer "$stamp")" ] ||
		[ -n "$(find "$stamp" -mmin +60 2>/dev/null)" ]; then
		dmx_apt_get -qq update >"$DMX_APT_DIR/update.log" 2>&1 || {
			cat "$DMX_APT_DIR/update.log" >&2
			dmx_die "apt-get update failed for $suite/$arch"
		}
		touch "$stamp"
	fi
}

# dpkg-deb -x, so that nothing is installed on the machine.
dmx_unpack_debs() {	# DIR DEST
	for deb in "$1"/*.deb; do
		dpkg-deb -x "$deb" "$2" || return 1
	done
}
