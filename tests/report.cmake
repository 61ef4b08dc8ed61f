ktsnap_test(test_report SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_report.c
	    LIBS PkgConfig::CMOCKA)
ktsnap_test(test_render SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_render.c
	    LIBS PkgConfig::CMOCKA)
ktsnap_test(test_util SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_util.c
	    LIBS PkgConfig::CMOCKA)
