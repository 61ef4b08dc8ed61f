#!/bin/sh
# schema_types.sh CC SRC INCLUDE
#
# The report schema takes each field's JSON type from its C member
# (json_schema.c, JTYPE): a member whose type has no JSON form must fail
# the build, never be read or written as some other type.  Each probe
# compiles json_schema.c with one more record, of a struct whose member m
# has the type given, and checks that it builds or fails as it should.
CC=$1
SRC=$2
INC=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0

# probe WANT DECL: "struct probe { DECL; }" in a record F(m) builds (ok) or not (fail)
probe() {
	printf '#include "json_schema.c"\nstruct probe { %s; };\n#define REC_OF probe\nRECORD(probe_rec, F(m));\n#undef REC_OF\nconst struct json_record *probe_p = &probe_rec;\n' \
		"$2" >"$tmp/p.c"
	if $CC -std=gnu11 -fsyntax-only -I"$SRC" -I"$INC" "$tmp/p.c" >"$tmp/log" 2>&1; then
		got=ok
	else
		got=fail
	fi
	if [ "$got" = "$1" ]; then
		echo "ok   $2: $1"
	else
		echo "FAIL $2: the build gives $got, want $1"
		sed 's/^/     | /' "$tmp/log" | head -n 8
		fails=$((fails + 1))
	fi
}

probe ok "uint64_t m"
probe ok "uint32_t m"
probe ok "int64_t m"
probe ok "int32_t m"
probe ok "bool m"
probe ok "double m"
probe ok "char *m"
probe ok "const char *m"
probe ok "uint64_t *m"
probe ok "uint32_t *m"
# no JSON form: JF_STR is a char * the reader allocates, a list a pointer
# and a count; an array member is neither
probe fail "char m[16]"
probe fail "uint64_t m[4]"
probe fail "uint32_t m[4]"
probe fail "uint16_t m"
probe fail "float m"
probe fail "unsigned long long m"
probe fail "const uint64_t *m"
[ "$fails" = 0 ] || exit 1
