# Report files: JSON writer/reader (unit tests on hand-made reports) and the
# fuzz target of the reader (clang only).
ktsnap_test(test_json SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_json.c
	    LIBS PkgConfig::CMOCKA m LABELS json)
if(CMAKE_C_COMPILER_ID STREQUAL "Clang")
	add_subdirectory(${CMAKE_CURRENT_SOURCE_DIR}/fuzz_json
			 ${CMAKE_CURRENT_BINARY_DIR}/fuzz_json)
endif()
ktsnap_test(test_diff SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_diff.c
	    LIBS PkgConfig::CMOCKA m LABELS json)
