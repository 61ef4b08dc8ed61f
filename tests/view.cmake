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

# Fuzz the dotted-path walkers for a bounded time (clang's libFuzzer only).
# The value, path, view and error sources are compiled into the target
# with coverage instrumentation (the rest comes from the static archive,
# which is not instrumented), so the fuzzer sees the branches it explores.
# New inputs go to the build tree; the seeds in fuzz/corpus stay read-only.
if(CMAKE_C_COMPILER_ID STREQUAL "Clang")
	set(fuzz_path_sources value.c field.c view.c snapshot.c error.c error_format.c stats_field.c
	    pickers.c sink.c display.c report.c arena.c util.c)
	list(TRANSFORM fuzz_path_sources PREPEND ${PROJECT_SOURCE_DIR}/src/)
	add_library(fuzz_path_objs OBJECT ${fuzz_path_sources})
	target_compile_options(fuzz_path_objs PRIVATE -fsanitize=fuzzer-no-link)
	target_link_libraries(fuzz_path_objs PRIVATE ktsnap_objs)
	add_executable(fuzz_path ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/fuzz_path.c
		       $<TARGET_OBJECTS:fuzz_path_objs>)
	target_include_directories(fuzz_path PRIVATE ${PROJECT_SOURCE_DIR}/src)
	target_compile_options(fuzz_path PRIVATE -fsanitize=fuzzer)
	target_link_options(fuzz_path PRIVATE -fsanitize=fuzzer)
	target_link_libraries(fuzz_path PRIVATE ktsnap_static PkgConfig::JSONC)
	file(MAKE_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR}/fuzz_path_corpus)
	add_test(NAME fuzz_path
		 COMMAND fuzz_path -max_total_time=20 -timeout=10 -max_len=256
			 -print_final_stats=1
			 ${CMAKE_CURRENT_BINARY_DIR}/fuzz_path_corpus
			 ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/corpus)
	set_tests_properties(fuzz_path PROPERTIES LABELS "view;fuzz" TIMEOUT 120)
endif()
# find / filter / max_by / at on big maps not rendered yet: the same
# entries as on the rendered map, without rendering it whole.
ktsnap_test(test_view_lazy BPF SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_view_lazy.c
	    LIBS ktfixture PkgConfig::CMOCKA LABELS view)
# The same from two threads while a third renders the map (TSan).
ktsnap_test(test_view_lazy_race BPF SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_view_lazy_race.c
	    LIBS ktfixture PkgConfig::CMOCKA LABELS tsan)
add_dependencies(tsan_tests test_view_lazy_race)
