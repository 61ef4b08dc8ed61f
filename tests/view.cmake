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
# find / filter / max_by / at on big maps not rendered yet: the same
# entries as on the rendered map, without rendering it whole.
ktsnap_test(test_view_lazy BPF SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_view_lazy.c
	    LIBS ktfixture PkgConfig::CMOCKA LABELS view)
# The same from two threads while a third renders the map (TSan).
ktsnap_test(test_view_lazy_race BPF SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_view_lazy_race.c
	    LIBS ktfixture PkgConfig::CMOCKA LABELS tsan)
add_dependencies(tsan_tests test_view_lazy_race)
