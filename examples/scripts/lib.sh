# shellcheck shell=sh
# lib.sh - small shell helpers, the code under test for check_cli.sh.
# POSIX sh; source it, don't run it.

# human_size BYTES: 512 -> 512B, 1536 -> 1.5K, 5242880 -> 5.0M
human_size() {
	awk -v n="$1" 'BEGIN {
		split("B K M G T", u, " ")
		i = 1
		while (n >= 1024 && i < 5) { n /= 1024; i++ }
		if (i == 1) printf "%dB\n", n
		else printf "%.1f%s\n", n, u[i]
	}'
}

# semver_cmp A B: prints -1, 0 or 1 as A <, =, > B ("1.10.0" > "1.9.3").
# Missing parts count as 0 ("1.2" = "1.2.0"); pre-release tags are ignored.
semver_cmp() {
	awk -v a="${1%%-*}" -v b="${2%%-*}" 'BEGIN {
		na = split(a, x, "."); nb = split(b, y, ".")
		n = na > nb ? na : nb
		for (i = 1; i <= n; i++) {
			if (x[i] + 0 < y[i] + 0) { print -1; exit }
			if (x[i] + 0 > y[i] + 0) { print 1; exit }
		}
		print 0
	}'
}

# trim STRING: strip leading and trailing blanks.
trim() {
	printf '%s\n' "$1" | sed 's/^[[:space:]]*//; s/[[:space:]]*$//'
}
