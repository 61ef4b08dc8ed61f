ktsnap_test(test_report SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_report.c
	    LIBS PkgConfig::CMOCKA)
