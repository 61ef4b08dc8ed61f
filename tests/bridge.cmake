# SnapshotBridge: unit tests with fake callbacks, the concurrency stress
# (registered twice: under the "tsan" label for `make check-tsan`, and
# without it so the ASan run covers it too), the runaway-capture bound and
# the live capture through the bridge.
ktsnap_test(test_bridge SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_bridge.c
	    LIBS PkgConfig::CMOCKA)

ktsnap_test(test_bridge_stress SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_bridge_stress.c
	    LIBS PkgConfig::CMOCKA LABELS tsan)
add_dependencies(tsan_tests test_bridge_stress)
add_test(NAME test_bridge_stress_asan COMMAND test_bridge_stress)
set_tests_properties(test_bridge_stress_asan PROPERTIES TIMEOUT 300)

ktsnap_test(test_bridge_runaway SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_bridge_runaway.c
	    LIBS PkgConfig::CMOCKA)

ktsnap_test(test_bridge_live BPF SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_bridge_live.c
	    LIBS ktfixture PkgConfig::CMOCKA)

# The unit tests race threads too (F26, F33, the accessor waits): run them
# under TSan as well.
add_dependencies(tsan_tests test_bridge)
add_test(NAME test_bridge_tsan COMMAND test_bridge)
set_tests_properties(test_bridge_tsan PROPERTIES LABELS tsan TIMEOUT 300)

# The error contract: no failing call leaves an earlier failure's text in
# ktsnap_errmsg(), long texts arrive whole, the detail is per thread.
ktsnap_test(test_bridge_errmsg SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_bridge_errmsg.c
	    LIBS PkgConfig::CMOCKA)

# Options structs read the libbpf way (sz, __last_field, non-zero tail refused).
ktsnap_test(test_bridge_opts SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_bridge_opts.c
	    LIBS PkgConfig::CMOCKA)
add_dependencies(tsan_tests test_bridge_errmsg)
add_test(NAME test_bridge_errmsg_tsan COMMAND test_bridge_errmsg)
set_tests_properties(test_bridge_errmsg_tsan PROPERTIES LABELS tsan TIMEOUT 120)
