ktsnap_test(test_capture BPF SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_capture.c
	    LIBS ktfixture PkgConfig::CMOCKA PkgConfig::JSONC)
ktsnap_test(test_capture_race BPF SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_capture_race.c
	    LIBS ktfixture PkgConfig::CMOCKA)
