# ktsnap_test(<name> SOURCES <src...> [LIBS <lib...>] [LABELS <l...>]
#             [BPF] [TIMEOUT s])
# Builds tests/<src> against the static library (so tests may use the
# internal headers) and registers it with ctest.  BPF tests get the label
# "bpf" and run serially (they load programs into the one kernel).
function(ktsnap_test name)
	cmake_parse_arguments(T "BPF" "TIMEOUT" "SOURCES;LIBS;LABELS" ${ARGN})
	add_executable(${name} ${T_SOURCES})
	target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/src
				   ${PROJECT_SOURCE_DIR}/tests)
	target_link_libraries(${name} PRIVATE ktsnap_static ${T_LIBS})
	add_test(NAME ${name} COMMAND ${name})
	set(labels ${T_LABELS})
	if(T_BPF)
		list(APPEND labels bpf)
		set_tests_properties(${name} PROPERTIES RUN_SERIAL TRUE)
	endif()
	if(labels)
		set_tests_properties(${name} PROPERTIES LABELS "${labels}")
	endif()
	if(T_TIMEOUT)
		set_tests_properties(${name} PROPERTIES TIMEOUT ${T_TIMEOUT})
	else()
		set_tests_properties(${name} PROPERTIES TIMEOUT 300)
	endif()
endfunction()
