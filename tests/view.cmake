# Typed views, errors, pickers, JSON fields and the value display.
ktsnap_test(test_display SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_display.c
	    LIBS PkgConfig::CMOCKA m LABELS view)
ktsnap_test(test_view SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_view.c
	    LIBS PkgConfig::CMOCKA m LABELS view)
ktsnap_test(test_error SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_error.c
	    LIBS PkgConfig::CMOCKA PkgConfig::JSONC m LABELS view)
ktsnap_test(test_view_assert SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_view_assert.c
	    LABELS view)
ktsnap_test(test_view_live BPF SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_view_live.c
	    LIBS ktfixture PkgConfig::CMOCKA LABELS view)

# Fuzz the dotted-path walkers for a bounded time (clang's libFuzzer only),
# with the value, path, view and error sources instrumented.
ktsnap_fuzz(fuzz_path DIR fuzz
	    INSTRUMENT value.c field.c view.c snapshot.c error.c error_format.c stats_field.c
		       pickers.c sink.c display.c report.c arena.c util.c
	    LIBS PkgConfig::JSONC SECONDS 20 MAX_LEN 256 LABELS view fuzz TIMEOUT 120)
