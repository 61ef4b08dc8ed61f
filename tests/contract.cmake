# Contracts checked on the tree itself rather than by running code:
# - errmsg_contract: every public function records a ktsnap_errmsg() text
#   when it fails (include/ktsnap/common.h), instead of a bare
#   "return -E…" / "errno = E…".  The views are skipped by name: their
#   failures are struct ktsnap_error values, whose constructor sets the
#   text (test_bridge_errmsg checks that).
#   Every public header is checked.
file(GLOB errmsg_headers ${PROJECT_SOURCE_DIR}/include/ktsnap/*.h)
add_test(NAME errmsg_contract
	 COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/contract/errmsg_check.sh
		 -s "^ktsnap_field__|^ktsnap_snapshot__"
		 ${PROJECT_SOURCE_DIR}/src ${errmsg_headers})
set_tests_properties(errmsg_contract PROPERTIES LABELS contract TIMEOUT 60)
# - abi_check: the shared library exports exactly the names listed in
#   src/libktsnap.map, and those are exactly the KTSNAP_API functions; a
#   failure lists the names to add to or remove from the map.
add_test(NAME abi_check
	 COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/contract/abi_check.sh
		 $<TARGET_FILE:ktsnap> $<TARGET_FILE:ktsnap_static>
		 ${PROJECT_SOURCE_DIR}/src/libktsnap.map)
set_tests_properties(abi_check PROPERTIES LABELS contract TIMEOUT 60)
# - spec_citations: every "§n.m" and "Fnn" cited in the code names a section
#   of docs/spec.md or a row of docs/features.md.
add_test(NAME spec_citations
	 COMMAND sh ${PROJECT_SOURCE_DIR}/docs/check-citations.sh
	 WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
set_tests_properties(spec_citations PROPERTIES LABELS contract TIMEOUT 60)
# - schema_types: a report schema field takes its JSON type from its C
#   member (src/json_schema.c), and a member type with no JSON form (an
#   array, a u16, a float …) fails the build.
add_test(NAME schema_types
	 COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/contract/schema_types.sh ${CMAKE_C_COMPILER}
		 ${PROJECT_SOURCE_DIR}/src ${PROJECT_SOURCE_DIR}/include)
set_tests_properties(schema_types PROPERTIES LABELS contract TIMEOUT 120)
