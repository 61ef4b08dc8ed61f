# Watch snapshots on the live host: symbol resolution, arming checks,
# breakpoint captures through the bridge (spec §9, §12).
ktsnap_test(test_watch BPF SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_watch.c
	    LIBS ktfixture bpf_ktwatch PkgConfig::CMOCKA LABELS watch)
# F150 from a real, registered struct_ops object (a TCP congestion control).
ktsnap_test(test_watch_struct_ops BPF SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_watch_struct_ops.c
	    LIBS ktfixture bpf_ktcc PkgConfig::CMOCKA LABELS watch)
# ktsnap watch, run as a user would, while ktsched is loaded.
ktsnap_bpf_command(cmd $<TARGET_FILE:ktsched_hold> sh ${CMAKE_CURRENT_SOURCE_DIR}/cli/watch.sh
		   $<TARGET_FILE:ktsnap_cli>)
add_test(NAME cli_watch COMMAND ${cmd})
set_tests_properties(cli_watch PROPERTIES LABELS "cli;bpf;watch" RUN_SERIAL TRUE TIMEOUT 180)
# The watcher thread against the arming/disarming thread, under TSan.
add_dependencies(tsan_tests test_watch)
ktsnap_bpf_command(cmd $<TARGET_FILE:test_watch>)
add_test(NAME test_watch_tsan COMMAND ${cmd})
set_tests_properties(test_watch_tsan PROPERTIES LABELS "tsan;bpf" RUN_SERIAL TRUE TIMEOUT 300)
