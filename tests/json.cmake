# Report files: JSON writer/reader (unit tests on hand-made reports) and the
# fuzz target of the reader (clang only).
ktsnap_test(test_json SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_json.c
	    LIBS PkgConfig::CMOCKA m LABELS json)
# The reader's fuzz target runs on hand-made reports written by the writer
# (`test_json --corpus DIR` regenerates the seeds, `test_json_fast --corpus
# FILE` cut_arrays.json).
set(KTSNAP_FUZZ_SECONDS 25 CACHE STRING "run time of the fuzz_json ctest")
ktsnap_fuzz(fuzz_json
	    INSTRUMENT json_read.c json_write.c jw.c json_schema.c json_scan.c json_shape.c
		       json_rd.c json_fast.c report.c log.c
	    LIBS m SECONDS ${KTSNAP_FUZZ_SECONDS} MAX_LEN 65536 LABELS json fuzz TIMEOUT 180)
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
