# Sample series, SeriesField, verdicts and temporal patterns, periodic capture.
ktsnap_test(test_temporal SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_temporal.c
	    LIBS PkgConfig::CMOCKA m LABELS series)
target_compile_definitions(test_temporal PRIVATE
			   KTSNAP_TEMPORAL_CASES="${CMAKE_CURRENT_SOURCE_DIR}/data/temporal_patterns.txt")
ktsnap_test(test_series SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_series.c
	    LIBS PkgConfig::CMOCKA LABELS series)
ktsnap_test(test_periodic SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_periodic.c
	    LIBS PkgConfig::CMOCKA LABELS series)
# The run loop shares state with pause / stop / set_step callers: TSan too.
add_dependencies(tsan_tests test_periodic)
add_test(NAME test_periodic_tsan COMMAND test_periodic)
set_tests_properties(test_periodic_tsan PROPERTIES LABELS tsan TIMEOUT 300)
# `ktsnap check` on hand-made sample directories.
add_test(NAME cli_check
	 COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/cli/check.sh $<TARGET_FILE:ktsnap_cli>)
set_tests_properties(cli_check PROPERTIES LABELS "cli;series" TIMEOUT 60)
# Periodic capture of the live ktsched fixture beside a workload, into patterns.
ktsnap_test(test_periodic_live BPF SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_periodic_live.c
	    LIBS ktfixture PkgConfig::CMOCKA LABELS series)
# `ktsnap record` of the live fixture beside a workload, then `ktsnap check`.
ktsnap_bpf_command(cmd $<TARGET_FILE:ktsched_hold> sh ${CMAKE_CURRENT_SOURCE_DIR}/cli/record.sh
		   $<TARGET_FILE:ktsnap_cli>)
add_test(NAME cli_record COMMAND ${cmd})
set_tests_properties(cli_record PROPERTIES LABELS "cli;bpf;series" RUN_SERIAL TRUE TIMEOUT 120)
add_test(NAME cli_plot
	 COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/cli/plot.sh $<TARGET_FILE:ktsnap_cli>)
set_tests_properties(cli_plot PROPERTIES LABELS "cli;series" TIMEOUT 60)
# Projections drop the trees they render; values and errors survive the drop.
ktsnap_test(test_series_release BPF SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_series_release.c
	    LIBS ktfixture PkgConfig::CMOCKA LABELS series)
