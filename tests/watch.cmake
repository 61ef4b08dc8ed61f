# Watch snapshots on the live host: symbol resolution, arming checks,
# breakpoint captures through the bridge (spec §9, §12).
ktsnap_test(test_watch BPF SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_watch.c
	    LIBS ktfixture bpf_ktwatch PkgConfig::CMOCKA LABELS watch)
# F150 from a real, registered struct_ops object (a TCP congestion control).
ktsnap_test(test_watch_struct_ops BPF SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_watch_struct_ops.c
	    LIBS ktfixture bpf_ktcc PkgConfig::CMOCKA LABELS watch)
