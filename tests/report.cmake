ktsnap_test(test_report SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_report.c
	    LIBS PkgConfig::CMOCKA)
ktsnap_test(test_render SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_render.c
	    LIBS PkgConfig::CMOCKA)
ktsnap_test(test_util SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_util.c
	    LIBS PkgConfig::CMOCKA)

# NULL-argument sweep over every exported function (common.h's policy).
# The calls are generated from the KTSNAP_API declarations at build time.
file(GLOB KTSNAP_PUBLIC_HEADERS CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/include/ktsnap/*.h)
add_custom_command(
	OUTPUT ${CMAKE_CURRENT_BINARY_DIR}/null_sweep_calls.inc
	COMMAND ${CMAKE_COMMAND} -DOUT=${CMAKE_CURRENT_BINARY_DIR}/null_sweep_calls.inc
		-DINCLUDE_DIR=${PROJECT_SOURCE_DIR}/include/ktsnap
		-P ${CMAKE_CURRENT_SOURCE_DIR}/null_sweep/gen_calls.cmake
	DEPENDS ${KTSNAP_PUBLIC_HEADERS} ${CMAKE_CURRENT_SOURCE_DIR}/null_sweep/gen_calls.cmake
	COMMENT "Generating the NULL-argument sweep" VERBATIM)
ktsnap_test(test_null_sweep SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/null_sweep/null_sweep.c
	    ${CMAKE_CURRENT_BINARY_DIR}/null_sweep_calls.inc TIMEOUT 600)
target_include_directories(test_null_sweep PRIVATE ${CMAKE_CURRENT_BINARY_DIR})
# The README's example with only <ktsnap/ktsnap.h>, as a user writes it.
add_executable(test_header_alone ${CMAKE_CURRENT_SOURCE_DIR}/header_alone.c)
target_compile_options(test_header_alone PRIVATE -Werror=implicit-function-declaration)
target_link_libraries(test_header_alone PRIVATE ktsnap)
add_test(NAME test_header_alone COMMAND test_header_alone)
