# Report files: JSON writer/reader (unit tests on hand-made reports) and the
# fuzz target of the reader (clang only).
ktsnap_test(test_json SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_json.c
	    LIBS PkgConfig::CMOCKA m LABELS json)
if(CMAKE_C_COMPILER_ID STREQUAL "Clang")
	add_subdirectory(${CMAKE_CURRENT_SOURCE_DIR}/fuzz_json
			 ${CMAKE_CURRENT_BINARY_DIR}/fuzz_json)
endif()
# The fast path for the writer's canonical text against the json-c path.
ktsnap_test(test_json_fast SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_json_fast.c
	    LIBS PkgConfig::CMOCKA m LABELS json)
ktsnap_test(test_diff SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_diff.c
	    LIBS PkgConfig::CMOCKA m LABELS json)
# Big report files (memory bounded by the file, no size cap on regular
# files).  ASan keeps freed memory in a quarantine (256 MB by default) that
# would be counted as the reader's: keep it small for this test.
ktsnap_test(test_json_big SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_json_big.c
	    LIBS PkgConfig::CMOCKA LABELS json)
set_tests_properties(test_json_big PROPERTIES ENVIRONMENT "ASAN_OPTIONS=quarantine_size_mb=4")
# The JSON writer against concurrent rendering of a fresh capture (TSan).
ktsnap_test(test_json_race BPF SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_json_race.c
	    LIBS ktfixture PkgConfig::CMOCKA LABELS tsan)
add_dependencies(tsan_tests test_json_race)
