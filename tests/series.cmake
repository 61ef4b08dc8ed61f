# Sample series, SeriesField, verdicts and temporal patterns, periodic capture.
ktsnap_test(test_temporal SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_temporal.c
	    LIBS PkgConfig::CMOCKA m LABELS series)
ktsnap_test(test_series SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_series.c
	    LIBS PkgConfig::CMOCKA LABELS series)
