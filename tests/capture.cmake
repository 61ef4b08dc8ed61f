ktsnap_test(test_capture BPF SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_capture.c
	    LIBS ktfixture PkgConfig::CMOCKA PkgConfig::JSONC)
ktsnap_test(test_capture_race BPF SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_capture_race.c
	    LIBS ktfixture PkgConfig::CMOCKA)
ktsnap_test(test_capture_obj BPF SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_capture_obj.c
	    LIBS ktfixture PkgConfig::CMOCKA)
target_compile_definitions(test_capture_obj PRIVATE KTSNAP_CLI="$<TARGET_FILE:ktsnap_cli>")
add_dependencies(test_capture_obj ktsnap_cli)
