# docs/flakeguard.schema.json accepts every shipped config, rejects a typo,
# and names every key core/config.c accepts (so the two cannot drift).
top=$(cd "$CASEDIR/../../.." && pwd)
schema=$top/docs/flakeguard.schema.json
py=/usr/bin/python3
$py -c 'import jsonschema' 2>/dev/null || fail "python3-jsonschema is needed: make deps installs it"
validate() {
	$py - "$schema" "$1" <<'PY'
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.validate(json.load(open(sys.argv[2])), schema)
PY
}
for f in "$top"/examples/flakeguard.json "$top"/examples/configs/*.json; do
	validate "$f" || fail "$f does not match the schema"
	# ... and flakeguard itself accepts it.
	"$FLAKEGUARD" list -c "$f" --db none.db >/dev/null 2>err ||
		grep -q "listing cases" err || { cat err; fail "flakeguard rejects $f"; }
done
echo '{"suites": [{"command": "true", "timeuot": "5s"}]}' > typo.json
validate typo.json 2>/dev/null && fail "schema accepted a typo"
for key in $(grep -o '!strcmp(key, "[a-z_$]*")' "$top/core/config.c" | sed 's/.*"\(.*\)")/\1/' | sort -u); do
	grep -q "\"$key\"" "$schema" || fail "schema lacks config key '$key'"
	grep -q "\`$key\`" "$top/docs/configuration.md" || [ "$key" = '$schema' ] ||
		[ "$key" = description ] || fail "docs/configuration.md lacks '$key'"
done
